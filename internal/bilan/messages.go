package bilan

import (
	"strconv"

	"github.com/retours/retours/internal/i18n"
)

// messages holds the words of every format, per language. The test of every
// catalogue (internal/i18n) checks it, and the keys the code uses.
var messages = i18n.New("bilan", map[string]map[string]string{
	"fr": {
		"title":                "Bilan",
		"colon":                " : ",
		"semicolon":            " ; ",
		"asof":                 "Réponses arrêtées au %s (heure de Paris)",
		"edition":              "édition",
		"participation":        "Participation",
		"answers":              "Réponses",
		"answers_by":           "dont %s",
		"notes_by":             "Notes %s",
		"channel.web":          "en ligne",
		"channel.paper":        "sur papier",
		"notes":                "Notes",
		"registered":           "Inscrit·es",
		"response_rate":        "Taux de réponse",
		"session":              "Session",
		"event_whole":          "L'événement dans son ensemble",
		"satisfaction":         "Satisfaction",
		"nps":                  "NPS",
		"suppressed":           "non détaillé",
		"few_answers":          "moins de %d",
		"few_answers_text":     "Moins de %d réponses : pour préserver l'anonymat, aucun chiffre n'en est donné.",
		"profile_none":         "Profil non renseigné",
		"indicators":           "Indicateurs clés",
		"mean":                 "moyenne",
		"median":               "médiane",
		"ci95":                 "intervalle de confiance à 95 %%",
		"promoters":            "promoteurs",
		"passives":             "passifs",
		"detractors":           "détracteurs",
		"questions":            "Réponses par question",
		"value":                "Valeur",
		"share":                "Part",
		"text_answers":         "réponses en texte libre, résumées dans les thèmes",
		"profiles":             "Par profil",
		"profile":              "Profil",
		"sessions":             "Par session",
		"session_profiles":     "Sessions et profils",
		"themes":               "Thèmes qui reviennent",
		"no_themes":            "Pas assez de texte libre pour dégager des thèmes.",
		"notes_title":          "Rapport d'étonnement et notes",
		"no_notes":             "Aucune note.",
		"comparison":           "Comparaison avec l'édition précédente",
		"comparison_none":      "Pas de chiffre à comparer : l'une des deux éditions compte moins de réponses que son seuil d'anonymat.",
		"indicator":            "Indicateur",
		"previous":             "Précédente",
		"current":              "Cette édition",
		"change":               "Évolution",
		"method":               "Méthode",
		"texts_title":          "Réponses libres",
		"language":             "Français",
		"session_cancelled":    "Session annulée",
		"speaker_method":       "Cette page montre les résultats de la session tels que le bilan de l'événement les donne, avec les mêmes règles d'anonymat (seuil de %d réponses) et sans les textes masqués par l'organisation.",
		"method_text":          "Les moyennes sont données avec leur intervalle de confiance à 95 %% (loi de Student). Le NPS est la part de promoteurs (9 ou 10) moins celle des détracteurs (0 à 6). Les notes et réponses masquées par l'organisation ne figurent pas dans ce bilan.",
		"method_anonymity":     "Anonymat : aucune case (session, profil, session × profil) de moins de %d réponses n'est détaillée, et aucune ne peut être retrouvée à partir de ce qui est affiché. Une telle case est « non détaillée », et d'autres cases le sont avec elle, celles qui comptent le moins de réponses possible, pour qu'on ne puisse la retrouver ni en retranchant d'un total ses cases affichées, ni en croisant sessions et profils : ce qu'un total compte de plus que ses cases affichées fait toujours au moins %d réponses. Une case non détaillée peut donc compter plus de réponses que ce seuil. Un événement de moins de %d réponses n'est pas détaillé du tout. Les citations ne sont attribuées qu'aux sessions détaillées.",
		"answers_count.one":    "%d réponse",
		"answers_count.other":  "%d réponses",
		"note.etonnement":      "Rapport d'étonnement",
		"note.point-fort":      "Points forts",
		"note.amelioration":    "Points d'amélioration",
		"note.moment-marquant": "Moments marquants",
		"summary_sheet":        "Synthèse",
		"answers_sheet":        "Réponses",
	},
	"en": {
		"title":                "Report",
		"colon":                ": ",
		"semicolon":            "; ",
		"asof":                 "Answers up to %s (Paris time)",
		"edition":              "edition",
		"participation":        "Participation",
		"answers":              "Answers",
		"answers_by":           "of which %s",
		"notes_by":             "Notes %s",
		"channel.web":          "online",
		"channel.paper":        "on paper",
		"notes":                "Notes",
		"registered":           "Registered",
		"response_rate":        "Response rate",
		"session":              "Session",
		"event_whole":          "The event as a whole",
		"satisfaction":         "Satisfaction",
		"nps":                  "NPS",
		"suppressed":           "not shown",
		"few_answers":          "fewer than %d",
		"few_answers_text":     "Fewer than %d answers: to keep them anonymous, no figure of them is given.",
		"profile_none":         "Profile not given",
		"indicators":           "Key figures",
		"mean":                 "mean",
		"median":               "median",
		"ci95":                 "95%% confidence interval",
		"promoters":            "promoters",
		"passives":             "passives",
		"detractors":           "detractors",
		"questions":            "Answers by question",
		"value":                "Value",
		"share":                "Share",
		"text_answers":         "free-text answers, summarised in the themes",
		"profiles":             "By profile",
		"profile":              "Profile",
		"sessions":             "By session",
		"session_profiles":     "Sessions and profiles",
		"themes":               "Recurring themes",
		"no_themes":            "Not enough free text to find themes.",
		"notes_title":          "Notes",
		"no_notes":             "No notes.",
		"comparison":           "Compared with the previous edition",
		"comparison_none":      "No figure to compare: one of the two editions has fewer answers than its anonymity threshold.",
		"indicator":            "Figure",
		"previous":             "Previous",
		"current":              "This edition",
		"change":               "Change",
		"method":               "Method",
		"texts_title":          "Free-text answers",
		"language":             "English",
		"session_cancelled":    "Session cancelled",
		"speaker_method":       "This page shows the session's results as the event's report gives them, with the same anonymity rules (a threshold of %d answers) and without the texts the organisers hid.",
		"method_text":          "Means come with their 95%% confidence interval (Student's t). The NPS is the share of promoters (9 or 10) minus that of detractors (0 to 6). Notes and answers hidden by the organisers are left out of this report.",
		"method_anonymity":     "Anonymity: no cell (session, profile, session × profile) with fewer than %d answers is detailed, and none can be found again from what is shown. Such a cell is “not shown”, and so are other cells with it, those with the fewest answers possible, so that it cannot be recovered by taking a total's shown cells away from it or by crossing sessions and profiles: what a total holds beyond its shown cells is always at least %d answers. A cell not shown may therefore hold more answers than this threshold. An event with fewer than %d answers is not detailed at all. Quotes are attributed only to sessions shown.",
		"answers_count.one":    "%d answer",
		"answers_count.other":  "%d answers",
		"note.etonnement":      "What surprised",
		"note.point-fort":      "Strengths",
		"note.amelioration":    "What to improve",
		"note.moment-marquant": "Highlights",
		"summary_sheet":        "Summary",
		"answers_sheet":        "Answers",
	},
})

// number formats f with two decimals at most, as people read numbers in
// lang.
func number(lang string, f float64) string { return i18n.Number(lang, f, 2) }

// signed formats a change with its sign.
func signed(lang string, f float64) string {
	s := number(lang, f)
	if f > 0 && s != "0" {
		return "+" + s
	}
	return s
}

// percent formats a share (0 to 1) as a whole percentage.
func percent(lang string, f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 0, 64)
	if lang == "fr" {
		return s + " %"
	}
	return s + "%"
}
