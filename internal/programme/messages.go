package programme

import "github.com/retours/retours/internal/i18n"

// messages holds the sentence of each problem code ("problem." + Code), in
// French and English: the %s verbs take the problem's Args in order, and a
// page shows the line, title or UID beside the sentence. The test of every
// catalogue (internal/i18n) checks it.
var messages = i18n.New("programme", map[string]map[string]string{
	"fr": {
		"problem.file_empty":           "Le fichier est vide.",
		"problem.file_too_large":       "Le fichier dépasse %s\u00a0Mo\u00a0: importez le programme en plusieurs fois.",
		"problem.not_csv_or_ics":       "Ce fichier n'est ni un CSV ni un agenda (.ics). Enregistrez votre tableur au format «\u00a0CSV UTF-8\u00a0», ou exportez votre agenda au format iCalendar (.ics).",
		"problem.spreadsheet":          "Ce fichier est un classeur (Excel, LibreOffice…), pas un CSV. Dans votre tableur, choisissez «\u00a0Enregistrer sous\u00a0», puis le format «\u00a0CSV UTF-8\u00a0», et importez ce fichier.",
		"problem.not_utf8":             "Ce fichier n'est pas en UTF-8. Dans votre tableur, enregistrez-le au format «\u00a0CSV UTF-8\u00a0» et importez-le de nouveau.",
		"problem.ics_unreadable":       "Ce fichier d'agenda (.ics) est illisible. Exportez de nouveau l'agenda et importez le fichier sans le modifier.",
		"problem.unclosed_quote":       "Un guillemet (\") ouvert sur cette ligne n'est jamais fermé.",
		"problem.missing_title_column": "Aucune colonne ne donne le titre des sessions\u00a0: nommez-la «\u00a0Titre\u00a0» sur la première ligne.",
		"problem.missing_start_column": "Aucune colonne ne donne la date des sessions\u00a0: ajoutez une colonne «\u00a0Date\u00a0» (et «\u00a0Début\u00a0», «\u00a0Fin\u00a0» pour les heures).",
		"problem.no_sessions":          "Le fichier ne contient aucune session.",
		"problem.too_many_sessions":    "Le fichier contient plus de %s sessions\u00a0: importez le programme en plusieurs fois.",
		"problem.missing_title":        "Le titre est vide.",
		"problem.title_too_long":       "Le titre dépasse %s caractères.",
		"problem.room_too_long":        "La salle dépasse %s caractères.",
		"problem.speakers_too_long":    "La liste des intervenant·es dépasse %s caractères.",
		"problem.missing_start":        "Ni la date ni l'heure de début ne sont indiquées.",
		"problem.missing_date":         "L'heure «\u00a0%s\u00a0» est indiquée, mais pas la date.",
		"problem.bad_date":             "Date illisible\u00a0: «\u00a0%s\u00a0». Écrivez-la comme 13/10/2026 ou 13/10/2026 14:30.",
		"problem.bad_time":             "Heure illisible\u00a0: «\u00a0%s\u00a0». Écrivez-la comme 14:30 ou 14h30.",
		"problem.end_before_start":     "La session finit (%[2]s) avant de commencer (%[1]s).",
		"problem.ics_no_start":         "Cet événement n'a pas de date de début (DTSTART).",
		"problem.unknown_time_zone":    "Fuseau horaire inconnu\u00a0: «\u00a0%s\u00a0». Exportez l'agenda à l'heure de Paris ou en UTC.",
		"problem.duplicate":            "Cette session (même titre, même début) est déjà à la ligne %s.",
		"problem.ignored_columns":      "Colonnes ignorées\u00a0: %s.",
		"problem.kind_unknown":         "Type «\u00a0%s\u00a0» inconnu\u00a0: la session sera de type «\u00a0Autre\u00a0».",
		"problem.kind_missing":         "Type non indiqué\u00a0: la session sera de type «\u00a0Autre\u00a0».",
		"problem.all_day":              "Pas d'heure indiquée\u00a0: la session commence à minuit.",
		"problem.recurring":            "Événement répété\u00a0: seule sa première occurrence est importée.",
		"problem.cancelled":            "Événement annulé dans l'agenda\u00a0: il n'est pas importé.",
	},
	"en": {
		"problem.file_empty":           "The file is empty.",
		"problem.file_too_large":       "The file is larger than %s MB: import the programme in several parts.",
		"problem.not_csv_or_ics":       "This file is neither a CSV nor a calendar (.ics). Save your spreadsheet as “CSV UTF-8”, or export your calendar as iCalendar (.ics).",
		"problem.spreadsheet":          "This file is a workbook (Excel, LibreOffice…), not a CSV. In your spreadsheet, choose “Save as” and the “CSV UTF-8” format, then import that file.",
		"problem.not_utf8":             "This file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” and import it again.",
		"problem.ics_unreadable":       "This calendar file (.ics) cannot be read. Export the calendar again and import the file without changing it.",
		"problem.unclosed_quote":       "A quotation mark (\") opened on this line is never closed.",
		"problem.missing_title_column": "No column gives the sessions' titles: name it “Title” on the first line.",
		"problem.missing_start_column": "No column gives the sessions' dates: add a “Date” column (and “Start”, “End” for the times).",
		"problem.no_sessions":          "The file contains no session.",
		"problem.too_many_sessions":    "The file has more than %s sessions: import the programme in several parts.",
		"problem.missing_title":        "The title is empty.",
		"problem.title_too_long":       "The title is longer than %s characters.",
		"problem.room_too_long":        "The room is longer than %s characters.",
		"problem.speakers_too_long":    "The list of speakers is longer than %s characters.",
		"problem.missing_start":        "Neither the date nor the start time is given.",
		"problem.missing_date":         "The time “%s” is given, but not the date.",
		"problem.bad_date":             "Unreadable date: “%s”. Write it as 2026-10-13 or 2026-10-13 14:30.",
		"problem.bad_time":             "Unreadable time: “%s”. Write it as 14:30.",
		"problem.end_before_start":     "The session ends (%[2]s) before it starts (%[1]s).",
		"problem.ics_no_start":         "This event has no start date (DTSTART).",
		"problem.unknown_time_zone":    "Unknown time zone: “%s”. Export the calendar in Paris time or in UTC.",
		"problem.duplicate":            "This session (same title, same start) is already on line %s.",
		"problem.ignored_columns":      "Columns ignored: %s.",
		"problem.kind_unknown":         "Unknown kind “%s”: the session will be of kind “Other”.",
		"problem.kind_missing":         "No kind given: the session will be of kind “Other”.",
		"problem.all_day":              "No time given: the session starts at midnight.",
		"problem.recurring":            "Repeating event: only its first occurrence is imported.",
		"problem.cancelled":            "Event cancelled in the calendar: it is not imported.",
	},
})

// Message returns the sentence of the problem in lang.
func (p Problem) Message(lang string) string {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		args[i] = a
	}
	return messages.T(lang, "problem."+string(p.Code), args...)
}
