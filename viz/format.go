package viz

import (
	"fmt"
	"strings"

	chart "github.com/wcharczuk/go-chart/v2"
)

// Format is the file format a chart is written in.
type Format uint8

const (
	// PNG is a raster image (image/png).
	PNG Format = iota
	// SVG is a vector image (image/svg+xml).
	SVG
)

// String returns "png" or "svg".
func (f Format) String() string {
	switch f {
	case PNG:
		return "png"
	case SVG:
		return "svg"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// Ext returns the file extension of the format with its dot, for example
// ".png".
func (f Format) Ext() string { return "." + f.String() }

// ParseFormat parses "png" or "svg" (case-insensitive, a leading dot is
// allowed).
func ParseFormat(s string) (Format, error) {
	switch strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), ".") {
	case "png":
		return PNG, nil
	case "svg":
		return SVG, nil
	}
	return 0, fmt.Errorf("viz: unknown format %q (want png or svg)", s)
}

// provider returns the go-chart renderer provider of the format.
func (f Format) provider() (chart.RendererProvider, error) {
	switch f {
	case PNG:
		return chart.PNG, nil
	case SVG:
		return chart.SVG, nil
	}
	return nil, fmt.Errorf("viz: unknown format %d (want viz.PNG or viz.SVG)", uint8(f))
}
