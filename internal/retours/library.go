package retours

import "slices"

// QuestionLibrary returns the ready questions organisers may add to their
// questionnaire besides the default ones: those the bilans of Numérique En
// Commun[s] days, touring meetups and tiers-lieux gatherings keep asking.
// Their ids are stable, so that editions that pick the same question are
// compared.
func QuestionLibrary() []Question {
	yes := []Choice{
		{ID: "oui", Label: Text{"fr": "Oui", "en": "Yes"}},
		{ID: "en-partie", Label: Text{"fr": "En partie", "en": "Partly"}},
		{ID: "non", Label: Text{"fr": "Non", "en": "No"}},
	}
	return []Question{
		{ID: "objectifs", Kind: QuestionMulti,
			Label: Text{"fr": "Objectifs de la journée\u00a0: lesquels ont été atteints pour vous\u00a0?", "en": "The day's aims: which did it meet for you?"},
			Choices: []Choice{
				{ID: "se-connaitre", Label: Text{"fr": "Se connaître", "en": "Getting to know each other"}},
				{ID: "comprendre", Label: Text{"fr": "Comprendre ce que font les autres", "en": "Understanding what others do"}},
				{ID: "notions", Label: Text{"fr": "Clarifier les notions", "en": "Clarifying the notions"}},
				{ID: "besoins-ressources", Label: Text{"fr": "Faire se rencontrer besoins et ressources", "en": "Matching needs with resources"}},
			}},
		{ID: "etonnement", Kind: QuestionText, MaxLength: 1000,
			Label: Text{"fr": "Qu'est-ce qui vous a le plus étonné\u00a0?", "en": "What surprised you most?"}},
		{ID: "connu", Kind: QuestionSingle,
			Label: Text{"fr": "Comment avez-vous connu l'événement\u00a0?", "en": "How did you hear about the event?"},
			Choices: []Choice{
				{ID: "reseau", Label: Text{"fr": "Par mon réseau professionnel", "en": "Through my professional network"}},
				{ID: "collectivite", Label: Text{"fr": "Par une collectivité", "en": "Through a local authority"}},
				{ID: "bouche-a-oreille", Label: Text{"fr": "Par le bouche-à-oreille", "en": "By word of mouth"}},
				{ID: "reseaux-sociaux", Label: Text{"fr": "Par les réseaux sociaux", "en": "On social media"}},
				{ID: "lettre", Label: Text{"fr": "Par une lettre d'information", "en": "Through a newsletter"}},
				{ID: "autre", Label: Text{"fr": "Autrement", "en": "Otherwise"}},
			}},
		{ID: "accessibilite", Kind: QuestionRating, Min: 1, Max: 5,
			Label: Text{"fr": "Le lieu était-il accessible pour vous (accès, signalétique, confort)\u00a0?", "en": "Was the venue accessible to you (access, signs, comfort)?"},
			Help:  Text{"fr": "1\u00a0: pas du tout, 5\u00a0: tout à fait", "en": "1: not at all, 5: completely"}},
		{ID: "duree", Kind: QuestionSingle,
			Label: Text{"fr": "La durée vous a-t-elle convenu\u00a0?", "en": "Did the length suit you?"},
			Choices: []Choice{
				{ID: "trop-court", Label: Text{"fr": "Trop court", "en": "Too short"}},
				{ID: "bien", Label: Text{"fr": "Bien", "en": "Right"}},
				{ID: "trop-long", Label: Text{"fr": "Trop long", "en": "Too long"}},
			}},
		{ID: "utile", Kind: QuestionRating, Min: 1, Max: 5,
			Label: Text{"fr": "Ce que vous avez appris vous sera-t-il utile dans votre travail\u00a0?", "en": "Will what you learned be useful in your work?"},
			Help:  Text{"fr": "1\u00a0: pas du tout, 5\u00a0: tout à fait", "en": "1: not at all, 5: completely"}},
		{ID: "revenir", Kind: QuestionSingle,
			Label:   Text{"fr": "Reviendriez-vous à la prochaine édition\u00a0?", "en": "Would you come to the next edition?"},
			Choices: yes},
		{ID: "sujets", Kind: QuestionText, MaxLength: 1000,
			Label: Text{"fr": "Quels sujets aimeriez-vous voir traités la prochaine fois\u00a0?", "en": "Which topics would you like next time?"}},
	}
}

// LibraryQuestion returns the ready question of the library, or of the
// default questionnaire, with the given id.
func LibraryQuestion(id string) (Question, bool) {
	all := append(DefaultQuestionnaire().Questions, QuestionLibrary()...)
	i := slices.IndexFunc(all, func(q Question) bool { return q.ID == id })
	if i < 0 {
		return Question{}, false
	}
	return all[i], true
}
