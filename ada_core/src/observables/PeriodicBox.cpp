#include "ada/observables/PeriodicBox.h"

#include <cmath>

namespace ada {

PeriodicBox PeriodicBox::fromVectors(const double a[3], const double b[3], const double c[3]) {
    PeriodicBox box;
    box.periodic = true;
    for (int k = 0; k < 3; ++k) {
        box.vectors[0][k] = a[k];
        box.vectors[1][k] = b[k];
        box.vectors[2][k] = c[k];
    }
    return box;
}

void PeriodicBox::minimumImage(double d[3]) const {
    if (!periodic)
        return;
    for (int v = 2; v >= 0; --v) {
        const double shift = std::round(d[v] / vectors[v][v]);
        for (int k = 0; k < 3; ++k)
            d[k] -= shift * vectors[v][k];
    }
}

double PeriodicBox::volume() const {
    return periodic ? vectors[0][0] * vectors[1][1] * vectors[2][2] : 0.0;
}

}  // namespace ada
