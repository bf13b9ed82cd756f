#pragma once
// The rational switching function of contact observables (Contacts, ContactMap):
//   s(x) = (1 - x^n) / (1 - x^m),  x = r / r0,  0 < n < m,
// 1 at x = 0, n/m at x = 1, → 0 as x → ∞. At x = 1 the removable singularity is replaced by its limits
// s = n/m, ds/dx = n(n - m)/(2m) (within 1e-6 of 1, where the quotient loses its digits).
#include <cmath>

namespace ada {

/** s(x), with ds/dx written to `derivative`. */
inline double rationalSwitch(double x, int n, int m, double& derivative) {
    if (std::abs(x - 1) < 1e-6) {
        derivative = n * (n - m) / (2.0 * m);
        return double(n) / m;
    }
    const double xn = std::pow(x, n), xm = std::pow(x, m);
    const double den = 1 - xm;
    derivative = (-n * xn / x * den + m * xm / x * (1 - xn)) / (den * den);
    return (1 - xn) / den;
}

}  // namespace ada
