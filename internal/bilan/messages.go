package bilan

// messages holds the words of every format, per language. A test checks
// both languages have every key.
var messages = map[string]map[string]string{
	"fr": {
		"note.etonnement":      "Rapport d'étonnement",
		"note.point-fort":      "Points forts",
		"note.amelioration":    "Points d'amélioration",
		"note.moment-marquant": "Moments marquants",
	},
	"en": {
		"note.etonnement":      "What surprised",
		"note.point-fort":      "Strengths",
		"note.amelioration":    "What to improve",
		"note.moment-marquant": "Highlights",
	},
}

func msg(lang, key string) string {
	if s, ok := messages[lang][key]; ok {
		return s
	}
	if s, ok := messages["fr"][key]; ok {
		return s
	}
	return key
}
