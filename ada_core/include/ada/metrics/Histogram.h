#pragma once
// Histograms of observable samples on fixed bins (1-D or 2-D), and the Jensen-Shannon divergence between
// two of them:
//   JSD(p, q) = 1/2 KL(p || m) + 1/2 KL(q || m),  m = (p + q)/2,  KL(p || m) = sum_k p_k ln(p_k / m_k),
// in nats (0 <= JSD <= ln 2), with p and q the normalised bin counts. Samples outside the range are counted
// in the nearest edge bin unless the histogram is periodic, where they are wrapped into it (angles).
#include <cstddef>
#include <vector>

namespace ada {

struct HistogramAxis {
    double lo = 0, hi = 1;
    int bins = 50;
    bool periodic = false;
    /** The bin of x (wrapped or clamped). */
    int bin(double x) const;
};

class Histogram {
public:
    explicit Histogram(std::vector<HistogramAxis> axes);
    /** Add samples, row-major [n][dimension]; dimension = number of axes. */
    void add(const double* samples, std::size_t n);
    void add(const std::vector<double>& samples) { add(samples.data(), samples.size() / axes_.size()); }
    /** Normalised bin probabilities (sum 1; all zero when empty). */
    std::vector<double> probabilities() const;
    /** Probability densities (probability / bin volume). */
    std::vector<double> densities() const;
    const std::vector<double>& counts() const { return counts_; }
    const std::vector<HistogramAxis>& axes() const { return axes_; }
    double total() const { return total_; }

private:
    std::vector<HistogramAxis> axes_;
    std::vector<double> counts_;
    double total_ = 0;
};

/** Jensen-Shannon divergence (nats) between two histograms on the same bins; throws if the bins differ. */
double jensenShannonDivergence(const Histogram& p, const Histogram& q);

}  // namespace ada
