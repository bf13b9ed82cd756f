#include "ada/metrics/GeometricWasserstein.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "ada/io/Kabsch.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/OptimalTransport.h"

namespace ada {

namespace {
Eigen::MatrixXd centredPoints(const double* x, int64_t N, int64_t S) {
    Eigen::MatrixXd p = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(x, N, S);
    return p.rowwise() - p.colwise().mean();
}
}  // namespace

double alignedSquaredDistance(const double* a, const double* b, int64_t N, int64_t S) {
    if (N == 1) {  // one particle (in an external field such as Mueller-Brown's): nothing to align
        double sum = 0;
        for (int64_t k = 0; k < S; ++k)
            sum += (a[k] - b[k]) * (a[k] - b[k]);
        return sum;
    }
    const Eigen::MatrixXd pa = centredPoints(a, N, S), pb = centredPoints(b, N, S);
    Eigen::MatrixXd cost(N, N);
    for (int64_t i = 0; i < N; ++i)
        for (int64_t j = 0; j < N; ++j)
            cost(i, j) = (pa.row(i) - pb.row(j)).squaredNorm();
    const std::vector<int> permutation = optimalAssignment(cost);
    Eigen::MatrixXd permuted(N, S);
    for (int64_t i = 0; i < N; ++i)
        permuted.row(i) = pb.row(permutation[i]);
    const Eigen::MatrixXd r = kabschOrthogonal(permuted, pa, true);
    return (pa - permuted * r.transpose()).squaredNorm();
}

double geometricW2(const std::vector<double>& a, const std::vector<double>& b, int64_t N, int64_t S) {
    const int64_t size = N * S;
    if (size <= 0 || a.empty() || b.empty() || a.size() % size || b.size() % size)
        throw SpecError("geometric W2: both sets must hold whole configurations of " + std::to_string(N) + " x " + std::to_string(S) + " values");
    const int64_t n = a.size() / size, m = b.size() / size;
    Eigen::MatrixXd cost(n, m);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < m; ++j)
            cost(i, j) = alignedSquaredDistance(a.data() + i * size, b.data() + j * size, N, S);
    return std::sqrt(optimalTransportCost(cost));
}

double energyW2(std::vector<double> a, std::vector<double> b) {
    if (a.empty() || b.empty())
        throw SpecError("energy W2: both sets must be non-empty");
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    // Integrate (F_a^-1(u) - F_b^-1(u))^2 over u in [0, 1] across the merged quantile breakpoints.
    const double na = a.size(), nb = b.size();
    double total = 0, u = 0;
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const double next = std::min((i + 1) / na, (j + 1) / nb);
        total += (next - u) * (a[i] - b[j]) * (a[i] - b[j]);
        u = next;
        if ((i + 1) / na <= next + 1e-15)
            ++i;
        if ((j + 1) / nb <= next + 1e-15)
            ++j;
    }
    return std::sqrt(total);
}

}  // namespace ada
