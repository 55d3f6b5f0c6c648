package retours

import (
	"regexp"
	"strconv"
	"strings"
)

// Question roles tell the bilan which question carries which meaning.
const (
	RoleSatisfaction = "satisfaction" // the overall rating compared across sessions and editions
	RoleProfile      = "profile"      // the participant's profile, used for breakdowns
)

// Limits on questionnaires and answers.
const (
	MaxQuestions     = 30
	MaxChoices       = 20
	DefaultMaxLength = 1000
	MaxTextLength    = 4000
	MaxLabel         = 300
)

// Questionnaire is the list of questions asked for an event and its sessions.
type Questionnaire struct {
	Questions []Question `json:"questions"`
}

// Question is one question. IDs are stable across editions so that bilans
// can be compared.
type Question struct {
	ID        string       `json:"id"`
	Kind      QuestionKind `json:"kind"`
	Label     Text         `json:"label"`
	Help      Text         `json:"help,omitempty"`
	Required  bool         `json:"required,omitempty"`
	Role      string       `json:"role,omitempty"`
	Min       int          `json:"min,omitempty"` // rating scale; default 1
	Max       int          `json:"max,omitempty"` // rating scale; default 5
	Choices   []Choice     `json:"choices,omitempty"`
	MaxLength int          `json:"max_length,omitempty"` // text; default DefaultMaxLength
	// Retired questions are no longer asked; the answers they received stay
	// in the exports and the bilan's figures.
	Retired bool `json:"retired,omitempty"`
}

// Choice is one option of a single or multi question.
type Choice struct {
	ID    string `json:"id"`
	Label Text   `json:"label"`
}

// Value is one answered question. Which field is set depends on the kind:
// Number for rating and nps, Choices for single (one) and multi, Text for text.
type Value struct {
	Number  int      `json:"n,omitempty"`
	Choices []string `json:"c,omitempty"`
	Text    string   `json:"t,omitempty"`
}

// Question returns the question with the given id.
func (q *Questionnaire) Question(id string) (*Question, bool) {
	for i := range q.Questions {
		if q.Questions[i].ID == id {
			return &q.Questions[i], true
		}
	}
	return nil, false
}

// ByRole returns the first question with the given role.
func (q *Questionnaire) ByRole(role string) (*Question, bool) {
	for i := range q.Questions {
		if q.Questions[i].Role == role {
			return &q.Questions[i], true
		}
	}
	return nil, false
}

// Scale returns the lowest and highest value of a scale question (0, 0 for
// other kinds): 0 to 10 for NPS, Min to Max (by default 1 to 5) otherwise.
func (q *Question) Scale() (lo, hi int) {
	switch {
	case !q.Kind.IsScale():
		return 0, 0
	case q.Kind.IsNPS():
		return 0, 10
	case q.Min == 0 && q.Max == 0:
		return 1, 5
	}
	return q.Min, q.Max
}

// TextLimit returns the maximum length of a text answer, in characters.
func (q *Question) TextLimit() int {
	if q.MaxLength > 0 {
		return q.MaxLength
	}
	return DefaultMaxLength
}

// Choice returns the choice with the given id.
func (q *Question) Choice(id string) (*Choice, bool) {
	for i := range q.Choices {
		if q.Choices[i].ID == id {
			return &q.Choices[i], true
		}
	}
	return nil, false
}

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// ValidKey reports whether s may be a question or choice id.
func ValidKey(s string) bool { return keyPattern.MatchString(s) }

// Validate checks a questionnaire defined by an organiser. Field names in the
// returned EINVALID error are "questions.N.field".
func (q *Questionnaire) Validate() error {
	fe := FieldErrors{}
	if len(q.Questions) == 0 {
		fe.Add("questions", FieldRequired)
	}
	if len(q.Questions) > MaxQuestions {
		fe.Add("questions", FieldTooMany)
	}
	active := 0
	for _, qq := range q.Questions {
		if !qq.Retired {
			active++
		}
	}
	if len(q.Questions) > 0 && active == 0 {
		fe.Add("questions", FieldRequired)
	}
	seen := map[string]bool{}
	roles := map[string]bool{}
	for i := range q.Questions {
		qq := &q.Questions[i]
		f := "questions." + strconv.Itoa(i)
		if !ValidKey(qq.ID) {
			fe.Add(f+".id", FieldInvalid)
		} else if seen[qq.ID] {
			fe.Add(f+".id", FieldDuplicate)
		}
		seen[qq.ID] = true
		if msg := validLabel(qq.Label, true); msg != "" {
			fe.Add(f+".label", msg)
		}
		if msg := validLabel(qq.Help, false); msg != "" {
			fe.Add(f+".help", msg)
		}
		switch qq.Role {
		case "":
		case RoleSatisfaction, RoleProfile:
			if roles[qq.Role] {
				fe.Add(f+".role", FieldDuplicate)
			}
			roles[qq.Role] = true
			if !qq.Kind.Fits(qq.Role) {
				fe.Add(f+".role", FieldInvalid)
			}
		default:
			fe.Add(f+".role", FieldChoice)
		}
		switch {
		case qq.Kind.IsNPS():
			if qq.Min != 0 || qq.Max != 0 {
				fe.Add(f+".max", FieldInvalid)
			}
		case qq.Kind.IsScale():
			lo, hi := qq.Scale()
			if lo < 0 || hi > 10 || lo >= hi {
				fe.Add(f+".max", FieldRange)
			}
		case qq.Kind.HasChoices():
			if len(qq.Choices) < 2 {
				fe.Add(f+".choices", FieldRequired)
			}
			if len(qq.Choices) > MaxChoices {
				fe.Add(f+".choices", FieldTooMany)
			}
			cs := map[string]bool{}
			for j, c := range qq.Choices {
				cf := f + ".choices." + strconv.Itoa(j)
				if !ValidKey(c.ID) {
					fe.Add(cf+".id", FieldInvalid)
				} else if cs[c.ID] {
					fe.Add(cf+".id", FieldDuplicate)
				}
				cs[c.ID] = true
				if msg := validLabel(c.Label, true); msg != "" {
					fe.Add(cf+".label", msg)
				}
			}
		case qq.Kind.IsText():
			if qq.MaxLength < 0 || qq.MaxLength > MaxTextLength {
				fe.Add(f+".max_length", FieldRange)
			}
		default:
			fe.Add(f+".kind", FieldChoice)
		}
		if !qq.Kind.HasChoices() && len(qq.Choices) > 0 {
			fe.Add(f+".choices", FieldInvalid)
		}
	}
	return fe.Err("questionnaire.invalid")
}

func validLabel(t Text, required bool) string {
	_, problem := t.Problem(required)
	return problem
}

// Problem returns the language of the first text of t that a label or a
// help may not have, and why: a language that is not one of Languages
// (FieldChoice), text that is not clean (FieldBadText, FieldInvalid) or
// longer than MaxLabel (FieldTooLong). When required, a t with neither a
// French nor an English text is ("", FieldRequired). A form shows the
// problem next to the language's field.
func (t Text) Problem(required bool) (lang, problem string) {
	if required && t["fr"] == "" && t["en"] == "" {
		return "", FieldRequired
	}
	for l := range t {
		if !IsLanguage(l) {
			return l, FieldChoice
		}
	}
	for _, l := range Languages {
		s, ok := t[l]
		if !ok {
			continue
		}
		clean, msg := CleanText(s, MaxLabel)
		if msg != "" {
			return l, msg
		}
		if clean != s {
			return l, FieldInvalid
		}
	}
	return "", ""
}

// ParseValues validates raw answers against the questionnaire and returns the
// typed values. raw maps question ids to the submitted strings (one for
// rating, nps, single and text; any number for multi); empty strings count as
// unanswered. Field names in the returned EINVALID error are question ids.
func (q *Questionnaire) ParseValues(raw map[string][]string) (map[string]Value, error) {
	return q.parseValues(raw, true)
}

// ParseSheetValues is ParseValues for a paper sheet: a required question
// left blank on paper is left unanswered rather than refused, since the
// sheet cannot be sent back to its participant.
func (q *Questionnaire) ParseSheetValues(raw map[string][]string) (map[string]Value, error) {
	return q.parseValues(raw, false)
}

func (q *Questionnaire) parseValues(raw map[string][]string, required bool) (map[string]Value, error) {
	fe := FieldErrors{}
	for id := range raw {
		if _, ok := q.Question(id); !ok {
			key := id
			if !ValidKey(key) {
				key = "answers"
			}
			fe.Add(key, FieldUnknown)
		}
	}
	values := make(map[string]Value, len(q.Questions))
	for i := range q.Questions {
		qq := &q.Questions[i]
		if qq.Retired {
			// A form shown before the question was retired still asks it:
			// its answer is left out rather than refused.
			continue
		}
		var got []string
		for _, s := range raw[qq.ID] {
			if s = strings.TrimSpace(s); s != "" || qq.Kind.IsText() {
				got = append(got, s)
			}
		}
		if qq.Kind.IsText() && len(got) == 1 && got[0] == "" {
			got = nil
		}
		if len(got) == 0 {
			if qq.Required && required {
				fe.Add(qq.ID, FieldRequired)
			}
			continue
		}
		if !qq.Kind.AllowsMany() && len(got) > 1 {
			fe.Add(qq.ID, FieldTooMany)
			continue
		}
		switch {
		case qq.Kind.IsScale():
			n, err := strconv.Atoi(got[0])
			if err != nil {
				fe.Add(qq.ID, FieldInvalid)
				continue
			}
			if lo, hi := qq.Scale(); n < lo || n > hi {
				fe.Add(qq.ID, FieldRange)
				continue
			}
			values[qq.ID] = Value{Number: n}
		case qq.Kind.HasChoices():
			seen := map[string]bool{}
			var cs []string
			for _, c := range got {
				if _, ok := qq.Choice(c); !ok {
					fe.Add(qq.ID, FieldChoice)
					break
				}
				if !seen[c] {
					seen[c] = true
					cs = append(cs, c)
				}
			}
			if _, bad := fe[qq.ID]; !bad {
				values[qq.ID] = Value{Choices: cs}
			}
		case qq.Kind.IsText():
			s, msg := CleanText(got[0], qq.TextLimit())
			if msg != "" {
				fe.Add(qq.ID, msg)
				continue
			}
			if s == "" {
				if qq.Required && required {
					fe.Add(qq.ID, FieldRequired)
				}
				continue
			}
			values[qq.ID] = Value{Text: s}
		default:
			// Validate refuses such a question: no answer can fit it.
			fe.Add(qq.ID, FieldInvalid)
		}
	}
	if err := fe.Err("answer.invalid"); err != nil {
		return nil, err
	}
	return values, nil
}

// DefaultQuestionnaire returns the questionnaire used when an event defines
// none: satisfaction, NPS, new contacts, what next, profile and a free text.
func DefaultQuestionnaire() Questionnaire {
	return Questionnaire{Questions: []Question{
		{ID: "satisfaction", Kind: QuestionRating, Role: RoleSatisfaction, Min: 1, Max: 5, Required: true,
			Label: Text{"fr": "Dans l'ensemble, êtes-vous satisfait·e\u00a0?", "en": "Overall, how satisfied are you?"},
			Help:  Text{"fr": "1\u00a0: pas du tout, 5\u00a0: tout à fait", "en": "1: not at all, 5: completely"}},
		{ID: "nps", Kind: QuestionNPS,
			Label: Text{"fr": "Recommanderiez-vous ce moment à une personne de votre entourage\u00a0?", "en": "Would you recommend this to someone you know?"},
			Help:  Text{"fr": "0\u00a0: pas du tout probable, 10\u00a0: très probable", "en": "0: not at all likely, 10: extremely likely"}},
		{ID: "rencontres", Kind: QuestionSingle,
			Label: Text{"fr": "Avez-vous rencontré des acteurs que vous ne connaissiez pas\u00a0?", "en": "Did you meet people or organisations you did not know?"},
			Choices: []Choice{
				{ID: "oui", Label: Text{"fr": "Oui", "en": "Yes"}},
				{ID: "non", Label: Text{"fr": "Non", "en": "No"}},
			}},
		{ID: "suites", Kind: QuestionText, MaxLength: 1000,
			Label: Text{"fr": "Qu'allez-vous faire de ce que vous avez appris\u00a0?", "en": "What will you do with what you learned?"}},
		{ID: "profil", Kind: QuestionSingle, Role: RoleProfile,
			Label: Text{"fr": "Vous êtes… (facultatif)", "en": "You are… (optional)"},
			Choices: []Choice{
				{ID: "elu", Label: Text{"fr": "Élu·e", "en": "Elected official"}},
				{ID: "agent", Label: Text{"fr": "Agent de collectivité", "en": "Local government staff"}},
				{ID: "association", Label: Text{"fr": "Association", "en": "Non-profit"}},
				{ID: "tiers-lieu", Label: Text{"fr": "Centre social / tiers-lieu", "en": "Community centre / third place"}},
				{ID: "entreprise", Label: Text{"fr": "Entreprise", "en": "Business"}},
				{ID: "habitant", Label: Text{"fr": "Habitant·e", "en": "Resident"}},
				{ID: "autre", Label: Text{"fr": "Autre", "en": "Other"}},
			}},
		{ID: "commentaire", Kind: QuestionText, MaxLength: 2000,
			Label: Text{"fr": "Un mot pour les organisateurs\u00a0?", "en": "Anything to tell the organisers?"}},
	}}
}
