package programme

// Code names a problem found in a programme file. Codes are stable: pages and
// the API render them through the message catalogue, with Problem.Args
// filling the sentence's %s verbs in order. Codes marked "note" below are
// informative and never stop an import; every other code is an error.
type Code string

// Errors about the file as a whole (Problem.Line is 0, or the header line).
const (
	// The file has no content at all, or only blank lines. No args.
	FileEmpty Code = "file_empty"
	// The file is larger than MaxBytes. Args: the limit in megabytes.
	FileTooLarge Code = "file_too_large"
	// The file is neither a CSV nor an iCalendar file (an image, a PDF, a
	// document…). No args.
	NotCSVOrICS Code = "not_csv_or_ics"
	// The file is a spreadsheet in its own format (XLSX, ODS, XLS), not a CSV
	// export of it. No args.
	Spreadsheet Code = "spreadsheet"
	// The text is not UTF-8, typically a CSV saved by Excel as "CSV
	// (séparateur : point-virgule)" in Windows-1252. Line: the first line
	// with a character that is not UTF-8. No args.
	NotUTF8 Code = "not_utf8"
	// The file announces iCalendar but cannot be read as such. No args.
	ICSUnreadable Code = "ics_unreadable"
	// A quote opens a cell and is never closed, so the rest of the file
	// would be one cell. Line: where the cell begins. No args.
	UnclosedQuote Code = "unclosed_quote"
	// The header has no column for the session's title. Line: the header
	// line. No args.
	MissingTitleColumn Code = "missing_title_column"
	// The header has neither a date column nor a start column. Line: the
	// header line. No args.
	MissingStartColumn Code = "missing_start_column"
	// The file has a header, or a calendar, but no session. No args.
	NoSessions Code = "no_sessions"
	// The file has more sessions than MaxSessions; nothing is read. Args: the
	// limit.
	TooManySessions Code = "too_many_sessions"
)

// Errors about one line (CSV) or one event (iCalendar): Problem.Line says
// where, and the line gives no draft.
const (
	// The title cell or SUMMARY is empty. No args.
	MissingTitle Code = "missing_title"
	// The title is longer than retours allows. Args: the limit in characters.
	TitleTooLong Code = "title_too_long"
	// The room cell or LOCATION is too long. Args: the limit in characters.
	RoomTooLong Code = "room_too_long"
	// The speakers cell is too long, or names too many people. Args: the
	// limit in characters.
	SpeakersTooLong Code = "speakers_too_long"
	// The line says neither when nor on which day the session starts. No args.
	MissingStart Code = "missing_start"
	// A time is given but no date, in the line or its date column. Args: the
	// time as read.
	MissingDate Code = "missing_date"
	// A date, or a date and time, cannot be read. Args: the text as read.
	BadDate Code = "bad_date"
	// A time cannot be read. Args: the text as read.
	BadTime Code = "bad_time"
	// The session ends before it starts, or when it starts. Args: start and
	// end, as "2006-01-02 15:04" in the event's time zone.
	EndBeforeStart Code = "end_before_start"
	// An agenda event has no DTSTART. No args.
	ICSNoStart Code = "ics_no_start"
	// An agenda event's time zone is neither an IANA name, nor a Windows name
	// retours knows, nor described by a VTIMEZONE it can follow. Args: the
	// TZID.
	UnknownTimeZone Code = "unknown_time_zone"
	// Another line already has this title and start. Args: that line's
	// number.
	Duplicate Code = "duplicate"
)

// Notes: informative, they never stop an import.
const (
	// Columns of the header retours does not read. Args: their headers,
	// joined with ", ".
	IgnoredColumns Code = "ignored_columns"
	// The type written is not one retours knows; the session is "autre".
	// Args: the type as read.
	KindUnknown Code = "kind_unknown"
	// No type given, and the title does not tell one; the session is
	// "autre". No args.
	KindMissing Code = "kind_missing"
	// The session has a date but no time; it starts at midnight. No args.
	AllDay Code = "all_day"
	// A repeating agenda event: only its first occurrence is imported. No
	// args.
	Recurring Code = "recurring"
	// An agenda event marked cancelled is not imported. No args.
	Cancelled Code = "cancelled"
)

// codeInfo says, for each code, whether it stops an import and how many
// arguments it carries.
var codeInfo = map[Code]struct {
	note bool
	args int
}{
	FileEmpty:          {false, 0},
	FileTooLarge:       {false, 1},
	NotCSVOrICS:        {false, 0},
	Spreadsheet:        {false, 0},
	NotUTF8:            {false, 0},
	ICSUnreadable:      {false, 0},
	UnclosedQuote:      {false, 0},
	MissingTitleColumn: {false, 0},
	MissingStartColumn: {false, 0},
	NoSessions:         {false, 0},
	TooManySessions:    {false, 1},
	MissingTitle:       {false, 0},
	TitleTooLong:       {false, 1},
	RoomTooLong:        {false, 1},
	SpeakersTooLong:    {false, 1},
	MissingStart:       {false, 0},
	MissingDate:        {false, 1},
	BadDate:            {false, 1},
	BadTime:            {false, 1},
	EndBeforeStart:     {false, 2},
	ICSNoStart:         {false, 0},
	UnknownTimeZone:    {false, 1},
	Duplicate:          {false, 1},
	IgnoredColumns:     {true, 1},
	KindUnknown:        {true, 1},
	KindMissing:        {true, 0},
	AllDay:             {true, 0},
	Recurring:          {true, 0},
	Cancelled:          {true, 0},
}

// Codes lists every code, errors first, in a stable order.
func Codes() []Code {
	return []Code{
		FileEmpty, FileTooLarge, NotCSVOrICS, Spreadsheet, NotUTF8, ICSUnreadable, UnclosedQuote,
		MissingTitleColumn, MissingStartColumn, NoSessions, TooManySessions,
		MissingTitle, TitleTooLong, RoomTooLong, SpeakersTooLong, MissingStart, MissingDate,
		BadDate, BadTime, EndBeforeStart, ICSNoStart, UnknownTimeZone, Duplicate,
		IgnoredColumns, KindUnknown, KindMissing, AllDay, Recurring, Cancelled,
	}
}

// IsNote reports whether c is informative rather than an error.
func (c Code) IsNote() bool { return codeInfo[c].note }

// NumArgs is the number of arguments a problem with code c carries.
func (c Code) NumArgs() int { return codeInfo[c].args }

// Problem is something to tell the person about one line of the file, or
// about the whole file when Line is 0.
type Problem struct {
	Code Code `json:"code"`
	// Line is the line as a spreadsheet numbers it (the header is line 1),
	// or the line where the agenda event begins; 0 for the whole file.
	Line int `json:"line,omitempty"`
	// Title is the line's title or the event's SUMMARY, when it has one, so
	// the person recognises the line.
	Title string `json:"title,omitempty"`
	// UID is the agenda event's UID, when it has one.
	UID  string   `json:"uid,omitempty"`
	Args []string `json:"args,omitempty"`
}
