package domain

import (
	"strconv"
	"strings"
)

// FormatSize renders a number of bytes for a message, in the largest
// binary unit it fills: "512 bytes", "8 KiB", "25 MiB", "1.5 GiB". A
// size the unit does not show exactly (to two decimals) is rounded down,
// so a limit is never overstated, and the exact count follows:
// "976.56 KiB (1000000 bytes)".
func FormatSize(n int64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	if n < 1<<10 {
		if n == 1 {
			return "1 byte"
		}
		return strconv.FormatInt(n, 10) + " bytes"
	}
	u, scale := 0, int64(1<<10)
	for u < len(units)-1 && n >= scale<<10 {
		u, scale = u+1, scale<<10
	}
	hundredths := n / scale * 100
	hundredths += n % scale * 100 / scale // no overflow: n%scale < 2^40
	s := strconv.FormatInt(hundredths/100, 10)
	if frac := hundredths % 100; frac != 0 {
		s += strings.TrimRight("."+strconv.FormatInt(100+frac, 10)[1:], "0")
	}
	s += " " + units[u]
	if hundredths*scale != n*100 {
		s += " (" + strconv.FormatInt(n, 10) + " bytes)"
	}
	return s
}
