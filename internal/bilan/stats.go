package bilan

import "math"

type summary struct {
	n            int64
	mean, median float64
	half         float64 // half-width of the 95 % confidence interval
}

// summarize computes the mean, median and 95 % confidence interval of
// integer answers from their counts: counts[i] answers have value lo+i.
// Counting values instead of keeping answers keeps memory constant.
func summarize(lo int, counts []int64) summary {
	var st summary
	var sum, sumSq float64
	for i, c := range counts {
		v := float64(lo + i)
		st.n += c
		sum += v * float64(c)
		sumSq += v * v * float64(c)
	}
	if st.n == 0 {
		return st
	}
	n := float64(st.n)
	st.mean = sum / n
	st.median = (nth(lo, counts, (st.n-1)/2) + nth(lo, counts, st.n/2)) / 2
	if st.n >= 2 {
		variance := (sumSq - sum*sum/n) / (n - 1)
		if variance < 0 {
			variance = 0 // rounding
		}
		st.half = tQuantile(st.n-1) * math.Sqrt(variance/n)
	}
	return st
}

// nth returns the k-th smallest value (from 0).
func nth(lo int, counts []int64, k int64) float64 {
	for i, c := range counts {
		if k < c {
			return float64(lo + i)
		}
		k -= c
	}
	return float64(lo + len(counts) - 1)
}

// tQuantile returns the 97.5th percentile of Student's t distribution with df
// degrees of freedom: small ateliers get the wider interval they deserve.
func tQuantile(df int64) float64 {
	if df <= 0 {
		return math.NaN()
	}
	if df <= int64(len(tTable)) {
		return tTable[df-1]
	}
	if df < 60 {
		return 2.01
	}
	if df < 120 {
		return 1.99
	}
	return 1.96
}

var tTable = [...]float64{
	12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
}
