#pragma once
// Three-vector algebra on plain arrays, and the minimum-image displacement between two particles.
#include <array>
#include <cmath>

#include "ada/observables/PeriodicBox.h"

namespace ada {

using Vector3 = std::array<double, 3>;

inline Vector3 operator-(const Vector3& a, const Vector3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
inline Vector3 operator+(const Vector3& a, const Vector3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
inline Vector3 operator*(double s, const Vector3& a) { return {s * a[0], s * a[1], s * a[2]}; }
inline double dot(const Vector3& a, const Vector3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline double norm(const Vector3& a) { return std::sqrt(dot(a, a)); }
inline Vector3 cross(const Vector3& a, const Vector3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

/** r_to - r_from under the minimum image convention. */
inline Vector3 displacement(const double* positions, int from, int to, const PeriodicBox& box) {
    Vector3 d{positions[3 * to] - positions[3 * from], positions[3 * to + 1] - positions[3 * from + 1],
              positions[3 * to + 2] - positions[3 * from + 2]};
    box.minimumImage(d.data());
    return d;
}

}  // namespace ada
