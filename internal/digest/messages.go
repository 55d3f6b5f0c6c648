package digest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// messages holds every text of the digest, per language. A test checks
// both languages have every key.
var messages = map[string]map[string]string{
	"fr": {
		"subject.one":          "Cette semaine sur « %s » : %s",
		"subject.many":         "Cette semaine sur vos %d événements : %s",
		"and":                  " et ",
		"hello":                "Bonjour,",
		"intro":                "Voici ce qui est arrivé sur vos événements retours du %s au %s.",
		"answers.none":         "aucune nouvelle réponse",
		"answers.one":          "1 nouvelle réponse",
		"answers.many":         "%d nouvelles réponses",
		"answers.total":        "%s (%d en tout)",
		"notes.one":            "1 nouvelle note",
		"notes.many":           "%d nouvelles notes",
		"session.line":         "%s : %d",
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
	},
	"en": {
		"subject.one":          "This week on “%s”: %s",
		"subject.many":         "This week on your %d events: %s",
		"and":                  " and ",
		"hello":                "Hello,",
		"intro":                "Here is what came in on your retours events from %s to %s.",
		"answers.none":         "no new answers",
		"answers.one":          "1 new answer",
		"answers.many":         "%d new answers",
		"answers.total":        "%s (%d in all)",
		"notes.one":            "1 new note",
		"notes.many":           "%d new notes",
		"session.line":         "%s: %d",
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
	},
}

func msg(lang, key string, args ...any) string {
	s, ok := messages[lang][key]
	if !ok {
		s, ok = messages["fr"][key]
	}
	if !ok {
		s = "[" + key + "]" // shows in the golden files
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// plural picks key.none, key.one or key.many for n.
func plural(lang, key string, n int) string {
	switch {
	case n == 0 && messages[lang][key+".none"] != "":
		return msg(lang, key+".none")
	case n == 1:
		return msg(lang, key+".one")
	}
	return msg(lang, key+".many", n)
}

// decimal writes x with one decimal, with a comma in French.
func decimal(lang string, x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// signed writes a change with its sign: +0,3, −0,2 (a true minus sign).
func signed(s string) string {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return "−" + rest
	}
	return "+" + s
}

var (
	monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	daysFR   = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// date writes a day in Paris time: "lundi 30 novembre 2026".
func date(lang string, t time.Time) string {
	t = t.In(paris)
	if lang == "en" {
		return t.Format("Monday 2 January 2006")
	}
	return fmt.Sprintf("%s %d %s %d", daysFR[t.Weekday()], t.Day(), monthsFR[t.Month()-1], t.Year())
}

// dateTime writes an instant in Paris time: "jeudi 12 novembre 2026 à 16:30".
func dateTime(lang string, t time.Time) string {
	if lang == "en" {
		return date(lang, t) + ", " + t.In(paris).Format("15:04")
	}
	return date(lang, t) + " à " + t.In(paris).Format("15:04")
}
