package organiser

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/retours/retours/internal/retours"
)

// questionnairePath is the page of an event's questionnaire, under
// /o/{event}.
const questionnairePath = "/questionnaire"

// questionnairePage answers GET /o/{event}/questionnaire: the questions in
// order, each with its labels, help, required, moves and retirement; the
// library's questions to add; a form for a question of one's own.
func (s *Server) questionnairePage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	answered, err := s.answered(r.Context(), e)
	if err != nil {
		return err
	}
	v := s.questionnaireView(r, e, e.Version, answered, e.Questionnaire, "", nil)
	v.Notice = doneNotice(r, v.Lang)
	return renderEdit(w, r, http.StatusOK, v)
}

// customQuestion is a question of one's own as its form gives it.
type customQuestion struct {
	Kind, LabelFR, LabelEN, HelpFR, HelpEN, Choices, Max string
	Required                                             bool
}

// questionnaireView is the questionnaire page made from version, showing
// q; editing names the question whose form shows what was sent ("new" for
// the custom question's, with custom's values).
func (s *Server) questionnaireView(r *http.Request, e *retours.Event, version int, answered bool, q retours.Questionnaire, editing string, custom *customQuestion) *editView {
	v := newEditView(r, e, questionnairePath)
	v.titled(messages.T(v.Lang, "questionnaire.page"))
	action := "/o/" + e.ID + questionnairePath + "?lang=" + v.Lang
	hidden := func(id string) []hiddenField {
		return []hiddenField{{"version", strconv.Itoa(version)}, {"question", id}}
	}
	if answered {
		v.Sections = append(v.Sections, sectionView{ID: "locked", Class: "locked", Heading: messages.T(v.Lang, "questionnaire.locked.title"),
			Paras: []string{messages.T(v.Lang, "questionnaire.locked.why")},
			List: []string{messages.T(v.Lang, "questionnaire.locked.ids"), messages.T(v.Lang, "questionnaire.locked.labels"),
				messages.T(v.Lang, "questionnaire.locked.add"), messages.T(v.Lang, "questionnaire.locked.retire")}})
	} else {
		v.Sections = append(v.Sections, sectionView{Paras: []string{messages.T(v.Lang, "questionnaire.intro")}})
	}
	for i, qq := range q.Questions {
		prefix := "q-" + qq.ID + "-"
		key := questionKey(i)
		// The labels are corrected in a form folded under the question,
		// opened for the question just sent; its moves stay in view.
		f := formView{ID: "q-" + qq.ID, Action: action, Class: "question", Hidden: hidden(qq.ID),
			Legend:    messages.T(v.Lang, "questionnaire.question", i+1, qq.Label.In(v.Lang)),
			Collapsed: messages.T(v.Lang, "questionnaire.edit"), Open: editing == qq.ID}
		note := messages.T(v.Lang, "questionnaire.kind."+string(qq.Kind)) + " · " + messages.T(v.Lang, "questionnaire.id", qq.ID)
		if lo, hi := qq.Scale(); qq.Kind.IsScale() {
			note += " · " + messages.T(v.Lang, "questionnaire.scale", lo, hi)
		}
		if qq.Required {
			note += " · " + messages.T(v.Lang, "questionnaire.required")
		}
		f.Fields = []editField{
			{ID: prefix + "label_fr", Name: "label_fr", Key: key + "label", Label: messages.T(v.Lang, "questionnaire.label_fr"), Type: "text", Value: qq.Label["fr"], Required: true},
			{ID: prefix + "label_en", Name: "label_en", Key: key + "label.en", Label: messages.T(v.Lang, "questionnaire.label_en"), Type: "text", Value: qq.Label["en"]},
		}
		f.Fields = append(f.Fields, helpFields(v.Lang, prefix, key, qq.Help["fr"], qq.Help["en"])...)
		for j, c := range qq.Choices {
			ck := key + "choices." + strconv.Itoa(j) + ".label"
			f.Fields = append(f.Fields,
				editField{ID: prefix + "c-" + c.ID + "-fr", Name: "choice_" + c.ID + "_fr", Key: ck, Label: messages.T(v.Lang, "questionnaire.choice_fr", j+1), Type: "text", Value: c.Label["fr"], Required: true},
				editField{ID: prefix + "c-" + c.ID + "-en", Name: "choice_" + c.ID + "_en", Key: ck + ".en", Label: messages.T(v.Lang, "questionnaire.choice_en", j+1), Type: "text", Value: c.Label["en"]})
		}
		if qq.Kind.HasChoices() {
			f.Fields = append(f.Fields, editField{ID: prefix + "new-choice", Name: "new_choice", Key: key + "choices." + strconv.Itoa(len(qq.Choices)) + ".label",
				Label: messages.T(v.Lang, "questionnaire.new_choice"), Help: messages.T(v.Lang, "questionnaire.new_choice.help"), Type: "text"})
		}
		f.Fields = append(f.Fields, editField{ID: prefix + "required", Name: "required", Key: key + "required", Label: messages.T(v.Lang, "questionnaire.required"), Type: "checkbox", Value: "1", Checked: qq.Required})
		f.Buttons = []buttonView{{Value: "save", Label: messages.T(v.Lang, "edit.save")}}
		moves := formView{ID: "q-" + qq.ID + "-moves", Action: action, Class: "moves", Hidden: hidden(qq.ID)}
		if i > 0 {
			moves.Buttons = append(moves.Buttons, buttonView{Value: "up", Label: messages.T(v.Lang, "questionnaire.up"), Secondary: true})
		}
		if i < len(q.Questions)-1 {
			moves.Buttons = append(moves.Buttons, buttonView{Value: "down", Label: messages.T(v.Lang, "questionnaire.down"), Secondary: true})
		}
		switch {
		case qq.Retired:
			moves.Buttons = append(moves.Buttons, buttonView{Value: "restore", Label: messages.T(v.Lang, "questionnaire.restore"), Secondary: true})
		case answered:
			moves.Buttons = append(moves.Buttons, buttonView{Value: "retire", Label: messages.T(v.Lang, "questionnaire.retire"), Secondary: true})
		default:
			moves.Buttons = append(moves.Buttons, buttonView{Value: "delete", Label: messages.T(v.Lang, "questionnaire.delete"), Secondary: true})
		}
		heading := messages.T(v.Lang, "questionnaire.numbered", i+1, qq.Label.In(v.Lang))
		sec := sectionView{ID: "question-" + qq.ID, Heading: heading, Paras: []string{note}, Forms: []formView{moves, f}}
		if qq.Retired {
			sec.Heading = messages.T(v.Lang, "questionnaire.retired.title", heading)
			sec.Class = "cancelled"
			sec.Paras = append(sec.Paras, messages.T(v.Lang, "questionnaire.retired"))
		}
		v.Sections = append(v.Sections, sec)
	}

	// The library's questions not asked yet.
	lib := sectionView{ID: "library", Heading: messages.T(v.Lang, "questionnaire.library"), Paras: []string{messages.T(v.Lang, "questionnaire.library.intro")}}
	for _, lq := range append(retours.DefaultQuestionnaire().Questions, retours.QuestionLibrary()...) {
		if _, in := q.Question(lq.ID); in {
			continue
		}
		lib.Forms = append(lib.Forms, formView{ID: "lib-" + lq.ID, Action: action, Class: "library", Hidden: hidden(lq.ID),
			Legend: lq.Label.In(v.Lang), Note: messages.T(v.Lang, "questionnaire.kind."+string(lq.Kind)),
			Buttons: []buttonView{{Value: "library", Label: messages.T(v.Lang, "questionnaire.library.add")}}})
	}
	if len(lib.Forms) == 0 {
		lib.Paras = append(lib.Paras, messages.T(v.Lang, "questionnaire.library.none"))
	}
	v.Sections = append(v.Sections, lib)

	// A question of one's own.
	if custom == nil {
		custom = &customQuestion{Kind: string(retours.QuestionRating), Max: "5"}
	}
	kinds := []editOption{}
	for _, k := range retours.QuestionKinds {
		kinds = append(kinds, editOption{Value: string(k), Label: messages.T(v.Lang, "questionnaire.kind."+string(k)), Selected: string(k) == custom.Kind})
	}
	key := questionKey(len(q.Questions))
	add := formView{ID: "q-new", Action: action, Class: "question", Hidden: hidden(""), Legend: messages.T(v.Lang, "questionnaire.custom"),
		Fields: slices.Concat([]editField{
			{ID: "q-new-kind", Name: "kind", Key: key + "kind", Label: messages.T(v.Lang, "questionnaire.kind"), Type: "select", Options: kinds, Required: true},
			{ID: "q-new-label_fr", Name: "label_fr", Key: key + "label", Label: messages.T(v.Lang, "questionnaire.label_fr"), Type: "text", Value: custom.LabelFR, Required: true},
			{ID: "q-new-label_en", Name: "label_en", Key: key + "label.en", Label: messages.T(v.Lang, "questionnaire.label_en"), Type: "text", Value: custom.LabelEN},
		}, helpFields(v.Lang, "q-new-", key, custom.HelpFR, custom.HelpEN), []editField{
			{ID: "q-new-choices", Name: "choices", Key: key + "choices", Label: messages.T(v.Lang, "questionnaire.choices"), Help: messages.T(v.Lang, "questionnaire.choices.help"), Type: "textarea", Value: custom.Choices},
			{ID: "q-new-max", Name: "max", Key: key + "max", Label: messages.T(v.Lang, "questionnaire.max"), Help: messages.T(v.Lang, "questionnaire.max.help"), Type: "number", Value: custom.Max, Min: "2", Max: "10"},
			{ID: "q-new-required", Name: "required", Key: key + "required", Label: messages.T(v.Lang, "questionnaire.required"), Type: "checkbox", Value: "1", Checked: custom.Required},
		}),
		Buttons: []buttonView{{Value: "add", Label: messages.T(v.Lang, "questionnaire.add")}}}
	v.Sections = append(v.Sections, sectionView{ID: "custom", Heading: messages.T(v.Lang, "questionnaire.custom"), Forms: []formView{add}})

	if !answered {
		v.Sections = append(v.Sections, sectionView{ID: "reset", Heading: messages.T(v.Lang, "questionnaire.reset"), Paras: []string{messages.T(v.Lang, "questionnaire.reset.help")},
			Forms: []formView{{ID: "q-reset", Action: action, Hidden: hidden(""), Legend: messages.T(v.Lang, "questionnaire.reset"),
				Buttons: []buttonView{{Value: "reset", Label: messages.T(v.Lang, "questionnaire.reset.button"), Secondary: true}}}}})
	}
	return v
}

// helpFields are the fields of a question's help, in French and English,
// after its labels': prefix starts their ids, key their problems' names.
func helpFields(lang, prefix, key, fr, en string) []editField {
	return []editField{
		{ID: prefix + "help_fr", Name: "help_fr", Key: key + "help", Label: messages.T(lang, "questionnaire.help_fr"),
			Help: messages.T(lang, "questionnaire.help_fr.help", retours.MaxLabel), Type: "text", Value: fr},
		{ID: prefix + "help_en", Name: "help_en", Key: key + "help.en", Label: messages.T(lang, "questionnaire.help_en"),
			Help: messages.T(lang, "questionnaire.help_en.help"), Type: "text", Value: en},
	}
}

// saveQuestionnaire answers POST /o/{event}/questionnaire: one change to
// the questionnaire (labels, help and required saved, a question moved,
// retired, restored, deleted or added, or the default questionnaire taken
// again), as an edit over the version the form carries, under the rules
// that hold once answers came.
func (s *Server) saveQuestionnaire(w http.ResponseWriter, r *http.Request) error {
	e, actor, from, err := s.editForm(r)
	if err != nil {
		return err
	}
	answered, err := s.answered(r.Context(), e)
	if err != nil {
		return err
	}
	f := r.PostForm
	in := retours.EditOf(e)
	qs := in.Questionnaire.Questions
	id := f.Get("question")
	i := slices.IndexFunc(qs, func(q retours.Question) bool { return q.ID == id })
	action := f.Get("action")
	var custom *customQuestion
	stale := func(w http.ResponseWriter, status int) error {
		now, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
		if err != nil {
			return err
		}
		v := s.questionnaireView(r, now, now.Version, answered, now.Questionnaire, "", nil)
		v.Problem = messages.T(v.Lang, "edit.stale")
		return renderEdit(w, r, status, v)
	}
	needsQuestion := action == "save" || action == "up" || action == "down" || action == "retire" || action == "restore" || action == "delete"
	if needsQuestion && i < 0 {
		if from != e.Version {
			return editFailed(retours.NewError(retours.ESTALE, "event.changed"), stale, nil)
		}
		return &retours.Error{Code: retours.EINVALID, Key: "event.invalid", Fields: map[string]string{"question": retours.FieldUnknown}}
	}
	done := "saved"
	// edited is the index of the question whose form was sent; a form
	// made before the page had help fields keeps the help.
	edited := -1
	helpSent := f.Has("help_fr") || f.Has("help_en")
	switch action {
	case "save":
		q := &qs[i]
		q.Label = withLabels(q.Label, f.Get("label_fr"), f.Get("label_en"))
		if helpSent {
			q.Help = withHelp(q.Help, f.Get("help_fr"), f.Get("help_en"))
		}
		edited = i
		for j := range q.Choices {
			// A choice whose fields the form does not carry keeps its labels.
			if c := &q.Choices[j]; f.Has("choice_" + c.ID + "_fr") {
				c.Label = withLabels(c.Label, f.Get("choice_"+c.ID+"_fr"), f.Get("choice_"+c.ID+"_en"))
			}
		}
		q.Required = f.Get("required") == "1"
		if c := strings.TrimSpace(f.Get("new_choice")); c != "" && q.Kind.HasChoices() {
			q.Choices = append(q.Choices, newChoice(c, q))
		}
	case "up", "down":
		j := i - 1
		if action == "down" {
			j = i + 1
		}
		if j >= 0 && j < len(qs) {
			qs[i], qs[j] = qs[j], qs[i]
		}
		done = "moved"
	case "retire", "restore":
		qs[i].Retired = action == "retire"
		done = action + "d"
	case "delete":
		qs = slices.Delete(qs, i, i+1)
		done = "deleted"
	case "library":
		lq, ok := retours.LibraryQuestion(id)
		switch {
		case !ok:
			return &retours.Error{Code: retours.EINVALID, Key: "event.invalid", Fields: map[string]string{"question": retours.FieldUnknown}}
		case i >= 0:
			// Added already, by this form sent twice or by someone else.
		default:
			qs = append(qs, lq)
		}
		done = "added"
	case "add":
		custom = &customQuestion{Kind: f.Get("kind"), LabelFR: f.Get("label_fr"), LabelEN: f.Get("label_en"), HelpFR: f.Get("help_fr"), HelpEN: f.Get("help_en"),
			Choices: f.Get("choices"), Max: f.Get("max"), Required: f.Get("required") == "1"}
		qs = append(qs, custom.question(qs))
		done, edited = "added", len(qs)-1
	case "reset":
		if answered {
			return &retours.Error{Code: retours.EINVALID, Key: "event.invalid", Fields: map[string]string{"questionnaire.questions": retours.FieldRemoved}}
		}
		qs = retours.DefaultQuestionnaire().Questions
		done = "reset"
	default:
		return &retours.Error{Code: retours.EINVALID, Key: "body.form", Fields: map[string]string{"action": retours.FieldChoice}}
	}
	in.Questionnaire.Questions = qs
	// A help is written in French first, as the pages are: an English help
	// alone would be shown in English to those who read French.
	fe := retours.FieldErrors{}
	if edited >= 0 && helpSent {
		if h := qs[edited].Help; h["fr"] == "" && h["en"] != "" {
			fe.Add(questionKey(edited)+"help", retours.FieldFrench)
		}
	}
	if len(fe) == 0 {
		_, err = s.saveEdit(r, e, actor, from, in, retours.ActionUpdated)
	} else {
		err = fe.Err("event.invalid")
	}
	if err != nil {
		return editFailed(err, stale, func(w http.ResponseWriter, status int, fields map[string]string) error {
			if edited >= 0 {
				fields = byLanguage(fields, edited, &qs[edited])
			}
			// Only what was sent is shown as sent: the other questions as
			// stored, a new question in its form, with its problems.
			shown := e.Questionnaire
			if custom == nil {
				shown = withQuestion(e.Questionnaire, in.Questionnaire, id)
			}
			v := s.questionnaireView(r, e, from, answered, shown, id, custom)
			v.showErrors(fields)
			return renderEdit(w, r, status, v)
		})
	}
	anchor := "question-" + id
	if action == "add" || action == "library" || action == "reset" || action == "delete" {
		anchor = ""
	}
	savedRedirect(w, r, e, questionnairePath, done, anchor)
	return nil
}

// withQuestion returns the questionnaire as stored, the question id as
// sent.
func withQuestion(stored, sent retours.Questionnaire, id string) retours.Questionnaire {
	out := retours.Questionnaire{Questions: slices.Clone(stored.Questions)}
	if q, ok := sent.Question(id); ok {
		if p, ok := out.Question(id); ok {
			*p = *q
		}
	}
	return out
}

// questionKey starts the names of the problems of the question at index
// i, as the event's validation names them.
func questionKey(i int) string { return "questionnaire.questions." + strconv.Itoa(i) + "." }

// byLanguage returns fields with the problem of a text of q, the question
// at index i, named after the language at fault when it is not French
// ("….help.en"): the form shows it next to that language's field.
func byLanguage(fields map[string]string, i int, q *retours.Question) map[string]string {
	texts := map[string]retours.Text{"label": q.Label, "help": q.Help}
	for j, c := range q.Choices {
		texts["choices."+strconv.Itoa(j)+".label"] = c.Label
	}
	out := make(map[string]string, len(fields))
	for k, p := range fields {
		out[k] = p
	}
	for name, t := range texts {
		k := questionKey(i) + name
		if p, ok := out[k]; ok {
			if lang, _ := t.Problem(false); lang != "" && lang != "fr" {
				delete(out, k)
				out[k+"."+lang] = p
			}
		}
	}
	return out
}

// withHelp returns t with its French and English texts as typed, as
// withLabels does, and no help at all when both are empty.
func withHelp(t retours.Text, fr, en string) retours.Text {
	out := withLabels(t, fr, en)
	if len(out) == 0 {
		return nil
	}
	return out
}

// withLabels returns t with its French and English texts as typed; an
// English text left empty is no English text.
func withLabels(t retours.Text, fr, en string) retours.Text {
	out := retours.Text{}
	for k, v := range t {
		out[k] = v
	}
	out["fr"] = strings.TrimSpace(fr)
	if en = strings.TrimSpace(en); en != "" {
		out["en"] = en
	} else {
		delete(out, "en")
	}
	if out["fr"] == "" {
		delete(out, "fr")
	}
	return out
}

// question returns the question of one's own, with an id drawn from its
// label that no question of qs has, and its choices, one a line, each
// "French | English".
func (c *customQuestion) question(qs []retours.Question) retours.Question {
	q := retours.Question{Kind: retours.QuestionKind(c.Kind), Label: withLabels(nil, c.LabelFR, c.LabelEN), Help: withHelp(nil, c.HelpFR, c.HelpEN), Required: c.Required}
	taken := func(id string) bool {
		return slices.ContainsFunc(qs, func(q retours.Question) bool { return q.ID == id })
	}
	q.ID = uniqueKey(slug(cmpOr(c.LabelFR, c.LabelEN)), "question", taken)
	switch {
	case q.Kind == retours.QuestionRating:
		q.Min, q.Max = 1, 5
		if n, err := strconv.Atoi(strings.TrimSpace(c.Max)); err == nil {
			q.Max = n
		} else if strings.TrimSpace(c.Max) != "" {
			q.Max = -1 // refused as out of range, on the field
		}
	case q.Kind.HasChoices():
		for _, l := range lines(c.Choices, false) {
			q.Choices = append(q.Choices, newChoice(l, &q))
		}
	case q.Kind.IsText():
		q.MaxLength = retours.DefaultMaxLength
	}
	return q
}

// newChoice returns the choice written as "French | English", with an id
// drawn from its label that no choice of q has.
func newChoice(line string, q *retours.Question) retours.Choice {
	fr, en, _ := strings.Cut(line, "|")
	id := uniqueKey(slug(cmpOr(strings.TrimSpace(fr), en)), "choix", func(id string) bool { _, ok := q.Choice(id); return ok })
	return retours.Choice{ID: id, Label: withLabels(nil, fr, en)}
}

// slug returns s as a question or choice id: lower case, without accents,
// words joined by hyphens, at most 30 characters cut between words.
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if a, ok := unaccented[r]; ok {
			r = a
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	// At most 30 characters, cut between words.
	out := b.String()
	for len(out) > 30 {
		i := strings.LastIndexByte(out[:31], '-')
		if i <= 0 {
			out = out[:30]
			break
		}
		out = out[:i]
	}
	return out
}

var unaccented = map[rune]rune{'à': 'a', 'â': 'a', 'ä': 'a', 'á': 'a', 'ç': 'c', 'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'î': 'i', 'ï': 'i', 'í': 'i', 'ô': 'o', 'ö': 'o', 'ó': 'o', 'ù': 'u', 'û': 'u', 'ü': 'u', 'ú': 'u', 'ÿ': 'y', 'œ': 'o', 'æ': 'a', 'ñ': 'n'}

// uniqueKey returns base, or fallback when base is empty, with a number
// added when taken says it is in use.
func uniqueKey(base, fallback string, taken func(string) bool) string {
	if base == "" || !retours.ValidKey(base) {
		base = fallback
	}
	id := base
	for n := 2; taken(id); n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	return id
}

// cmpOr returns the first of its arguments that is not empty.
func cmpOr(a, b string) string { return cmp.Or(strings.TrimSpace(a), strings.TrimSpace(b)) }
