package iamcheck

import (
	"fmt"
	"testing"
)

func TestCompareLedger(t *testing.T) {
	query := Call{Service: "DynamoDB", Operation: "Query", Table: Table}
	index := Call{Service: "DynamoDB", Operation: "Query", Table: Table, Index: "GSI1"}
	get := Call{Service: "DynamoDB", Operation: "GetItem", Table: Table}
	tests := []struct {
		name      string
		got, want Ledger
		complete  bool
		errs      []string
	}{
		{"same calls", Ledger{"F": {query, index}}, Ledger{"F": {index, query}}, true, nil},
		{"a new call", Ledger{"F": {query, index}}, Ledger{"F": {query}}, true,
			[]string{"F made a call its ledger x.json lacks: DynamoDB Query table=retours index=GSI1"}},
		{"a call no test makes any more", Ledger{"F": {query}}, Ledger{"F": {query, get}}, true,
			[]string{"F's ledger x.json holds a call no test made: DynamoDB GetItem table=retours"}},
		{"a partial run makes fewer calls", Ledger{"F": {query}}, Ledger{"F": {query, get}, "G": {get}}, false, nil},
		{"a function the ledger lacks", Ledger{"G": {get}}, Ledger{}, false,
			[]string{"G made a call its ledger x.json lacks: DynamoDB GetItem table=retours"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := compare(tt.got, tt.want, "x.json", tt.complete)
			if fmt.Sprint(errs) != fmt.Sprint(stringsToErrs(tt.errs)) {
				t.Errorf("compare = %v, want %v", errs, tt.errs)
			}
		})
	}
}

func stringsToErrs(s []string) []error {
	var errs []error
	for _, m := range s {
		errs = append(errs, fmt.Errorf("%s", m))
	}
	return errs
}

func TestNormalNamesTheTestsTable(t *testing.T) {
	c := normal(Call{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []Item{{"retours-12-TestX_y", "PutItem"}, {"other", "PutItem"}}})
	if c.Items[0].Table != Table || c.Items[1].Table != "other" {
		t.Errorf("normal = %+v", c)
	}
	if c := normal(Call{Service: "DynamoDB", Operation: "Query", Table: "retours-3-TestZ", Index: "GSI1"}); c.String() != "DynamoDB Query table=retours index=GSI1" {
		t.Errorf("normal = %v", c)
	}
}
