package web

import "github.com/retours/retours/internal/i18n"

// Messages holds the texts of the layout, the error page and the errors the
// adapters write, and the names of the kinds of notes, which the pages of
// several functions show. The catalogue of each function's pages extends it, so
// that the layout around them reads its texts from there. The test of every
// catalogue (internal/i18n) checks it, and the keys the code and templates
// use.
var Messages = i18n.New("web", map[string]map[string]string{
	"fr": {
		"lang.switch":          "English",
		"lang.switch.code":     "en",
		"footer.privacy":       "Vos données\u00a0: anonymat et conservation",
		"title.error":          "Erreur",
		"punct.colon":          "\u00a0:",
		"form.errors.fix":      "Corrigez ce qui suit, puis envoyez à nouveau\u00a0:",
		"form.label":           "Le formulaire",
		"continue":             "Continuer",
		"form.resend":          "il a été abîmé en route. Vérifiez vos réponses et envoyez-le à nouveau.",
		"error.title":          "Un problème est survenu",
		"err.not_found":        "Cette page n'existe pas. Vérifiez l'adresse ou scannez à nouveau le QR code.",
		"err.too_large":        "La demande est trop volumineuse.",
		"err.internal":         "Une erreur interne est survenue. Réessayez dans un instant.",
		"err.unavailable":      "Le service est momentanément surchargé. Vos réponses n'ont pas été perdues\u00a0: réessayez dans un instant.",
		"note.etonnement":      "Ce qui m'a étonné",
		"note.point-fort":      "Un point fort",
		"note.amelioration":    "Un point à améliorer",
		"note.moment-marquant": "Un moment marquant",
	},
	"en": {
		"lang.switch":          "Français",
		"lang.switch.code":     "fr",
		"footer.privacy":       "Your data: anonymity and retention",
		"title.error":          "Error",
		"punct.colon":          ":",
		"form.errors.fix":      "Please correct the following, then send again:",
		"form.label":           "The form",
		"continue":             "Continue",
		"form.resend":          "it was damaged on the way. Check your answers and send it again.",
		"error.title":          "Something went wrong",
		"err.not_found":        "This page does not exist. Check the address or scan the QR code again.",
		"err.too_large":        "The request is too large.",
		"err.internal":         "An internal error occurred. Please try again in a moment.",
		"err.unavailable":      "The service is busy right now. Your answers are not lost: please try again in a moment.",
		"note.etonnement":      "What surprised me",
		"note.point-fort":      "A strength",
		"note.amelioration":    "Something to improve",
		"note.moment-marquant": "A memorable moment",
	},
})
