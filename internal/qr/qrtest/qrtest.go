// Package qrtest reads QR codes back with an independent decoder, so that
// tests check what a phone's camera would read.
package qrtest

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// Decode reads the QR code in a PNG and returns its text and the image.
func Decode(tb testing.TB, data []byte) (string, image.Image) {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("not a PNG: %v", err)
	}
	return DecodeImage(tb, img), img
}

// DecodeImage reads the QR code of img, a code as retours draws it: upright,
// on its own, with its quiet zone. The decoder is told so (PURE_BARCODE):
// its finder-pattern search, meant for photographs, misses some such codes.
func DecodeImage(tb testing.TB, img image.Image) string {
	tb.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		tb.Fatalf("decode: %v", err)
	}
	return res.GetText()
}
