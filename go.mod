module github.com/retours/retours

go 1.24
