package digest

import (
	"strings"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/web"
)

// messages holds every text of the digest, per language: the e-mail and the
// unsubscribe page, whose layout reads its texts from web.Messages, which
// it extends. The test of every catalogue (internal/i18n) checks it, and
// the keys the code and templates use.
var messages = i18n.New("digest", map[string]map[string]string{
	"fr": {
		"subject.event":        "Cette semaine sur « %s » : %s",
		"subject.events":       "Cette semaine sur vos %d événements : %s",
		"and":                  " et ",
		"hello":                "Bonjour,",
		"intro":                "Voici ce qui est arrivé sur vos événements retours du %s au %s.",
		"answers.zero":         "aucune nouvelle réponse",
		"answers.one":          "%d nouvelle réponse",
		"answers.other":        "%d nouvelles réponses",
		"answers.total":        "%s (%d en tout)",
		"answers.some":         "de nouvelles réponses",
		"answers.few":          "%s (moins de %d en tout)",
		"notes.one":            "%d nouvelle note",
		"notes.other":          "%d nouvelles notes",
		"session.line":         "%s : %d",
		"session.some":         "%s : de nouvelles réponses",
		"session.event":        "L'événement dans son ensemble",
		"satisfaction":         "Satisfaction : %s",
		"nps":                  "NPS : %s",
		"few":                  "moins de %d réponses pour l'instant",
		"change":               "%s (%s en une semaine)",
		"change.first":         "%s (première semaine)",
		"stable":               "stable",
		"points":               "%s points",
		"notes.title":          "Rapport d'étonnement : %s",
		"notes.some":           "%s, dont :",
		"notes.all":            "%s :",
		"quote":                "« %s »",
		"themes":               "Thèmes apparus : %s",
		"window.open":          "Les réponses restent ouvertes jusqu'au %s.",
		"window.soon":          "Les réponses ferment bientôt : le %s.",
		"window.closed":        "Les réponses sont closes depuis le %s.",
		"link.organisers":      "Page des organisateurs : ",
		"link.bilan":           "Bilan complet : ",
		"link.unsubscribe":     "Ne plus recevoir ce résumé pour cet événement : ",
		"html.organisers":      "Ouvrir la page des organisateurs",
		"html.bilan":           "Télécharger le bilan complet",
		"html.unsubscribe":     "Ne plus recevoir ce résumé pour cet événement",
		"html.unsubscribe.all": "Ne plus recevoir de résumé pour aucun de ces événements",
		"quiet":                "Sans nouveauté cette semaine : %s.",
		"footer":               "Vous recevez ce résumé chaque lundi parce que cette adresse est indiquée comme organisatrice de ces événements sur retours.",
		"footer.unsubscribe":   "Ne plus recevoir de résumé pour aucun de ces événements : ",
		"kind.etonnement":      "étonnement",
		"kind.point-fort":      "point fort",
		"kind.amelioration":    "à améliorer",
		"kind.moment-marquant": "moment marquant",
		"unsub.title":          "Ne plus recevoir le résumé hebdomadaire",
		"unsub.intro":          "Vous ne recevrez plus le résumé du lundi pour\u00a0:",
		"unsub.submit":         "Confirmer le désabonnement",
		"unsub.done.title":     "C'est fait",
		"unsub.done":           "Vous ne recevrez plus le résumé hebdomadaire pour\u00a0:",
		"unsub.invalid":        "Ce lien de désabonnement n'est pas valide. Copiez-le en entier depuis l'e-mail.",
	},
	"en": {
		"subject.event":        "This week on “%s”: %s",
		"subject.events":       "This week on your %d events: %s",
		"and":                  " and ",
		"hello":                "Hello,",
		"intro":                "Here is what came in on your retours events from %s to %s.",
		"answers.zero":         "no new answers",
		"answers.one":          "%d new answer",
		"answers.other":        "%d new answers",
		"answers.total":        "%s (%d in all)",
		"answers.some":         "new answers",
		"answers.few":          "%s (fewer than %d in all)",
		"notes.one":            "%d new note",
		"notes.other":          "%d new notes",
		"session.line":         "%s: %d",
		"session.some":         "%s: new answers",
		"session.event":        "The event as a whole",
		"satisfaction":         "Satisfaction: %s",
		"nps":                  "NPS: %s",
		"few":                  "fewer than %d answers so far",
		"change":               "%s (%s over the week)",
		"change.first":         "%s (first week)",
		"stable":               "unchanged",
		"points":               "%s points",
		"notes.title":          "Rapport d'étonnement: %s",
		"notes.some":           "%s, including:",
		"notes.all":            "%s:",
		"quote":                "“%s”",
		"themes":               "New themes: %s",
		"window.open":          "Answers stay open until %s.",
		"window.soon":          "Answers close soon: %s.",
		"window.closed":        "Answers closed on %s.",
		"link.organisers":      "Organisers' page: ",
		"link.bilan":           "Full bilan: ",
		"link.unsubscribe":     "Stop this digest for this event: ",
		"html.organisers":      "Open the organisers' page",
		"html.bilan":           "Download the full bilan",
		"html.unsubscribe":     "Stop this digest for this event",
		"html.unsubscribe.all": "Stop the digest for all of these events",
		"quiet":                "Nothing new this week: %s.",
		"footer":               "You get this digest every Monday because this address is listed as an organiser of these events on retours.",
		"footer.unsubscribe":   "Stop the digest for all of these events: ",
		"kind.etonnement":      "surprise",
		"kind.point-fort":      "strength",
		"kind.amelioration":    "to improve",
		"kind.moment-marquant": "highlight",
		"unsub.title":          "Stop the weekly digest",
		"unsub.intro":          "You will no longer get the Monday digest for:",
		"unsub.submit":         "Confirm",
		"unsub.done.title":     "Done",
		"unsub.done":           "You will no longer get the weekly digest for:",
		"unsub.invalid":        "This unsubscribe link is not valid. Copy it whole from the e-mail.",
	},
}).Extends(web.Messages)

// signed writes a change with its sign: +0,3, −0,2 (a true minus sign).
func signed(s string) string {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return "−" + rest
	}
	return "+" + s
}
