#pragma once
// Minimum-image displacements in a (possibly triclinic) periodic box, in OpenMM's reduced form:
// a = (ax, 0, 0), b = (bx, by, 0), c = (cx, cy, cz) with ax >= 2|bx|, ax >= 2|cx|, by >= 2|cy|.
// For that form the minimum image of d is found by subtracting c, then b, then a, each rounded
// (the same reduction OpenMM applies), which is exact for cut-offs below half the smallest box width.
#include <array>

namespace ada {

struct PeriodicBox {
    bool periodic = false;
    std::array<std::array<double, 3>, 3> vectors{};  // rows a, b, c in nm

    static PeriodicBox none() { return PeriodicBox(); }
    static PeriodicBox fromVectors(const double a[3], const double b[3], const double c[3]);

    /** Replace d (nm) by its minimum image; does nothing when the box is not periodic. */
    void minimumImage(double d[3]) const;
    /** Box volume in nm^3 (0 when not periodic). */
    double volume() const;
};

}  // namespace ada
