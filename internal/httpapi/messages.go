package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
)

// messages holds every text of the pages, per language. The test of every
// catalogue (internal/i18n) checks it, and the keys the code and templates
// use.
var messages = i18n.New("httpapi", map[string]map[string]string{
	"fr": {
		"lang.switch":             "English",
		"lang.switch.code":        "en",
		"footer.privacy":          "Vos données\u00a0: anonymat et conservation",
		"title.error":             "Erreur",
		"event.sessions":          "Choisissez la session dont vous voulez parler",
		"event.general":           "Donner mon avis sur l'ensemble de l'événement",
		"event.now":               "En cours",
		"event.soon":              "À venir",
		"event.closed":            "Réponses closes",
		"form.intro":              "Quelques questions, deux minutes. Vos réponses sont anonymes.",
		"form.submit":             "Envoyer mes réponses",
		"form.required":           "obligatoire",
		"form.errors":             "Votre questionnaire n'a pas été envoyé",
		"punct.colon":             "\u00a0:",
		"form.errors.fix":         "Corrigez ce qui suit, puis envoyez à nouveau\u00a0:",
		"form.label":              "Le formulaire",
		"form.resend":             "il a été abîmé en route. Vérifiez vos réponses et envoyez-le à nouveau.",
		"thanks.title":            "Merci\u00a0!",
		"thanks.body":             "Votre réponse est bien enregistrée.",
		"thanks.note.title":       "Rapport d'étonnement",
		"thanks.note.intro":       "Quelque chose vous a surpris, plu ou manqué\u00a0? Laissez une note, même courte. C'est facultatif.",
		"thanks.note.kind":        "Type de note",
		"thanks.note.text":        "Votre note",
		"thanks.note.submit":      "Envoyer la note",
		"thanks.note.done":        "Merci, votre note est enregistrée. Vous pouvez en laisser une autre.",
		"thanks.note.errors":      "Votre note n'a pas été envoyée",
		"thanks.another":          "Donner mon avis sur une autre session",
		"note.etonnement":         "Ce qui m'a étonné",
		"note.point-fort":         "Un point fort",
		"note.amelioration":       "Un point à améliorer",
		"note.moment-marquant":    "Un moment marquant",
		"closed.title":            "Les réponses sont closes",
		"closed.before.title":     "Les réponses ne sont pas encore ouvertes",
		"closed.before":           "Les réponses seront ouvertes à partir du %s. Revenez à ce moment-là avec le même lien ou le même QR code.",
		"closed.after":            "Les réponses étaient ouvertes jusqu'au %s. Merci de votre intérêt\u00a0!",
		"closed.others":           "Voir les autres sessions de l'événement",
		"error.title":             "Un problème est survenu",
		"privacy.title":           "Vos données",
		"privacy.anonymous":       "Vos réponses sont anonymes. Nous ne vous demandons ni votre nom, ni votre adresse e-mail, et il n'y a pas de compte à créer.",
		"privacy.nothing":         "Nous n'enregistrons ni votre adresse IP, ni votre navigateur ou votre appareil (user agent). Ces pages n'utilisent ni cookie, ni traceur, ni service extérieur.",
		"privacy.identifying":     "Rien de ce qui est enregistré ne permet de vous identifier, sauf si l'événement pose une question qui le permettrait\u00a0: vous êtes libre de ne pas y répondre, et de ne rien écrire qui vous identifie dans les champs de texte.",
		"privacy.retention.title": "Combien de temps",
		"privacy.retention":       "Les réponses sont gardées jusqu'à la fin de la durée de conservation fixée par l'événement, par défaut %d mois après l'événement, puis effacées automatiquement.",
		"privacy.retention.event": "Les réponses à «\u00a0%s\u00a0» seront effacées automatiquement à partir du %s.",
		"privacy.organisers":      "Les organisateurs de l'événement peuvent exporter les réponses pour en faire le bilan, ou les effacer avant cette date.",
		"privacy.results.title":   "Dans les résultats",
		"privacy.results":         "Le bilan de l'événement, et le résumé envoyé chaque semaine à ses organisateurs, ne donnent aucun chiffre sur un groupe de moins de %d réponses (une session, un profil, un profil dans une session, l'événement entier) : un tel groupe n'est pas détaillé, et d'autres chiffres sont masqués avec lui, pour qu'on ne puisse le retrouver ni par soustraction, ni en croisant les tableaux. Vos textes peuvent y être cités, sans le nom d'une session qui n'est pas détaillée.",
		"privacy.contact.title":   "Qui contacter",
		"privacy.contact":         "Les organisateurs de l'événement sont responsables de ce questionnaire. Pour toute question, ou pour demander l'effacement des réponses, adressez-vous à eux.",
		"privacy.back":            "Retour au questionnaire",
		"poster.title":            "Affiche",
		"poster.call":             "Votre avis en 2 minutes",
		"poster.scan":             "Scannez ce code avec l'appareil photo de votre téléphone, ou tapez l'adresse\u00a0:",
		"poster.anon":             "Anonyme · sans inscription · sans application",
		"poster.also":             "Also in English",
		"poster.print":            "Imprimez cette page sur une feuille A4 (Ctrl+P ou ⌘P)\u00a0: seule l'affiche est imprimée.",
		"poster.download":         "Le QR code seul\u00a0:",
		"err.not_found":           "Cette page n'existe pas. Vérifiez l'adresse ou scannez à nouveau le QR code.",
		"err.too_large":           "La demande est trop volumineuse.",
		"err.internal":            "Une erreur interne est survenue. Réessayez dans un instant.",
		"err.unavailable":         "Le service est momentanément surchargé. Vos réponses n'ont pas été perdues\u00a0: réessayez dans un instant.",
		"unsub.title":             "Ne plus recevoir le résumé hebdomadaire",
		"unsub.intro":             "Vous ne recevrez plus le résumé du lundi pour\u00a0:",
		"unsub.submit":            "Confirmer le désabonnement",
		"unsub.done.title":        "C'est fait",
		"unsub.done":              "Vous ne recevrez plus le résumé hebdomadaire pour\u00a0:",
		"unsub.invalid":           "Ce lien de désabonnement n'est pas valide. Copiez-le en entier depuis l'e-mail.",
		"orga.title":              "Espace organisation",
		"orga.login.title":        "Espace organisation",
		"orga.login.intro":        "Saisissez le jeton d'organisation reçu à la création de l'événement. Il reste enregistré dans ce navigateur pour cet événement, jusqu'à la déconnexion.",
		"orga.login.token":        "Jeton d'organisation",
		"orga.login.submit":       "Entrer",
		"orga.login.missing":      "Saisissez le jeton d'organisation.",
		"orga.login.wrong":        "Ce jeton ne donne pas accès à cet événement. Vérifiez-le, ou demandez le jeton actuel à la personne qui a créé l'événement.",
		"orga.window.before":      "Les réponses ouvrent le %s.",
		"orga.window.open":        "Les réponses sont ouvertes jusqu'au %s.",
		"orga.window.closed":      "Les réponses sont closes depuis le %s.",
		"orga.counts":             "En direct",
		"orga.answers":            "réponses",
		"orga.notes":              "notes",
		"orga.rate":               "taux de réponse",
		"orga.downloads":          "Télécharger le bilan",
		"orga.dl.html":            "Bilan imprimable (HTML)",
		"orga.dl.html.en":         "Report in English (HTML)",
		"orga.dl.md":              "Bilan en Markdown",
		"orga.dl.xlsx":            "Classeur Excel : synthèse et réponses (XLSX)",
		"orga.dl.csv":             "Réponses brutes (CSV)",
		"orga.dl.csv.semicolon":   "Réponses brutes pour Excel en français (CSV ;)",
		"orga.dl.json":            "Données du bilan (JSON)",
		"orga.sessions":           "Sessions et QR codes",
		"orga.session":            "Session",
		"orga.event.whole":        "L'événement dans son ensemble",
		"orga.qr":                 "QR code",
		"orga.poster":             "Affiche A4",
		"orga.suppressed":         "non détaillé",
		"orga.texts":              "Modération",
		"orga.texts.intro":        "Masquez une note ou une réponse en texte libre pour la retirer du bilan ; elle reste dans l'export brut. Les plus récentes d'abord.",
		"orga.texts.none":         "Aucun texte pour l'instant.",
		"orga.texts.more":         "Et %d textes plus anciens : l'API (GET /api/events/…/texts) les liste tous.",
		"orga.note":               "Note",
		"orga.hidden":             "masqué",
		"orga.hide":               "Masquer du bilan",
		"orga.show":               "Remettre dans le bilan",
		"orga.logout":             "Se déconnecter",
	},
	"en": {
		"lang.switch":             "Français",
		"lang.switch.code":        "fr",
		"footer.privacy":          "Your data: anonymity and retention",
		"title.error":             "Error",
		"event.sessions":          "Choose the session you want to talk about",
		"event.general":           "Give my opinion on the event as a whole",
		"event.now":               "Now",
		"event.soon":              "Later",
		"event.closed":            "Answers closed",
		"form.intro":              "A few questions, two minutes. Your answers are anonymous.",
		"form.submit":             "Send my answers",
		"form.required":           "required",
		"form.errors":             "Your answers were not sent",
		"punct.colon":             ":",
		"form.errors.fix":         "Please correct the following, then send again:",
		"form.label":              "The form",
		"form.resend":             "it was damaged on the way. Check your answers and send it again.",
		"thanks.title":            "Thank you!",
		"thanks.body":             "Your answer has been saved.",
		"thanks.note.title":       "What surprised you?",
		"thanks.note.intro":       "Did something surprise, please or disappoint you? Leave a note, even a short one. It is optional.",
		"thanks.note.kind":        "Kind of note",
		"thanks.note.text":        "Your note",
		"thanks.note.submit":      "Send the note",
		"thanks.note.done":        "Thank you, your note has been saved. You can leave another one.",
		"thanks.note.errors":      "Your note was not sent",
		"thanks.another":          "Give my opinion on another session",
		"note.etonnement":         "What surprised me",
		"note.point-fort":         "A strength",
		"note.amelioration":       "Something to improve",
		"note.moment-marquant":    "A memorable moment",
		"closed.title":            "Answers are closed",
		"closed.before.title":     "Answers are not open yet",
		"closed.before":           "Answers are accepted from %s. Come back then with the same link or QR code.",
		"closed.after":            "Answers were accepted until %s. Thank you for your interest!",
		"closed.others":           "See the event's other sessions",
		"error.title":             "Something went wrong",
		"privacy.title":           "Your data",
		"privacy.anonymous":       "Your answers are anonymous. We do not ask for your name or e-mail address, and there is no account to create.",
		"privacy.nothing":         "We store neither your IP address nor your browser or device (user agent). These pages use no cookies, no trackers and no outside services.",
		"privacy.identifying":     "Nothing that is stored identifies you, unless the event asks a question that would: you are free not to answer it, and not to write anything that identifies you in the text fields.",
		"privacy.retention.title": "How long",
		"privacy.retention":       "Answers are kept until the end of the retention period the event sets, by default %d months after the event, then erased automatically.",
		"privacy.retention.event": "Answers to “%s” will be erased automatically from %s on.",
		"privacy.organisers":      "The event's organisers can export the answers to write their report, or erase them before that date.",
		"privacy.results.title":   "In the results",
		"privacy.results":         "The event's report, and the digest its organisers get each week, give no figure about a group of fewer than %d answers (a session, a profile, a profile within a session, the whole event): such a group is not detailed, and other figures are hidden with it, so that it cannot be found again by subtraction or by crossing the tables. Your texts may be quoted there, without the name of a session that is not detailed.",
		"privacy.contact.title":   "Who to contact",
		"privacy.contact":         "The event's organisers are responsible for this questionnaire. For any question, or to ask for the answers to be erased, please contact them.",
		"privacy.back":            "Back to the questionnaire",
		"poster.title":            "Poster",
		"poster.call":             "Your feedback in 2 minutes",
		"poster.scan":             "Scan this code with your phone's camera, or type the address:",
		"poster.anon":             "Anonymous · no sign-up · no app",
		"poster.also":             "Aussi en français",
		"poster.print":            "Print this page on A4 paper (Ctrl+P or ⌘P): only the poster is printed.",
		"poster.download":         "The QR code alone:",
		"err.not_found":           "This page does not exist. Check the address or scan the QR code again.",
		"err.too_large":           "The request is too large.",
		"err.internal":            "An internal error occurred. Please try again in a moment.",
		"err.unavailable":         "The service is busy right now. Your answers are not lost: please try again in a moment.",
		"unsub.title":             "Stop the weekly digest",
		"unsub.intro":             "You will no longer get the Monday digest for:",
		"unsub.submit":            "Confirm",
		"unsub.done.title":        "Done",
		"unsub.done":              "You will no longer get the weekly digest for:",
		"unsub.invalid":           "This unsubscribe link is not valid. Copy it whole from the e-mail.",
		"orga.title":              "Organisers",
		"orga.login.title":        "Organisers",
		"orga.login.intro":        "Enter the organiser token you received when the event was created. This browser keeps it for this event until you log out.",
		"orga.login.token":        "Organiser token",
		"orga.login.submit":       "Enter",
		"orga.login.missing":      "Enter the organiser token.",
		"orga.login.wrong":        "This token does not give access to this event. Check it, or ask whoever created the event for the current token.",
		"orga.window.before":      "Answers open on %s.",
		"orga.window.open":        "Answers are open until %s.",
		"orga.window.closed":      "Answers closed on %s.",
		"orga.counts":             "Live",
		"orga.answers":            "answers",
		"orga.notes":              "notes",
		"orga.rate":               "response rate",
		"orga.downloads":          "Download the report",
		"orga.dl.html":            "Printable report in French (HTML)",
		"orga.dl.html.en":         "Printable report (HTML)",
		"orga.dl.md":              "Report in Markdown",
		"orga.dl.xlsx":            "Spreadsheet: summary and answers (XLSX)",
		"orga.dl.csv":             "Raw answers (CSV)",
		"orga.dl.csv.semicolon":   "Raw answers for French Excel (CSV ;)",
		"orga.dl.json":            "Report data (JSON)",
		"orga.sessions":           "Sessions and QR codes",
		"orga.session":            "Session",
		"orga.event.whole":        "The event as a whole",
		"orga.qr":                 "QR code",
		"orga.poster":             "A4 poster",
		"orga.suppressed":         "not shown",
		"orga.texts":              "Moderation",
		"orga.texts.intro":        "Hide a note or a free-text answer to take it out of the report; the raw export keeps it. Newest first.",
		"orga.texts.none":         "No text yet.",
		"orga.texts.more":         "And %d older texts: the API (GET /api/events/…/texts) lists them all.",
		"orga.note":               "Note",
		"orga.hidden":             "hidden",
		"orga.hide":               "Hide from the report",
		"orga.show":               "Put back in the report",
		"orga.logout":             "Log out",
	},
})

// requestLang picks the page language: an explicit ?lang= or form field,
// then Accept-Language, then French.
func requestLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); retours.IsLanguage(l) {
		return l
	}
	if r.Method == http.MethodPost && r.PostForm != nil {
		if l := r.PostForm.Get("lang"); retours.IsLanguage(l) {
			return l
		}
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage returns the supported language with the highest q value in
// an Accept-Language header, French when none is supported.
func acceptLanguage(h string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if !retours.IsLanguage(base) {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := parseQ(v); err == nil {
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = base, q
		}
	}
	if best == "" || bestQ <= 0 {
		return retours.Languages[0]
	}
	return best
}

func parseQ(s string) (float64, error) {
	var f float64
	_, err := fmt.Sscan(s, &f)
	return f, err
}
