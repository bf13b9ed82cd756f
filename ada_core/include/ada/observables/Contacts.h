#pragma once
// Number of contacts, a smooth count over atom pairs with the rational switching function
//   s(r) = (1 - x^n) / (1 - x^m),  x = r / r0   (n = 6, m = 12 by default),
// summed over pairs (value d = 1); s is RationalSwitch.h.
#include "ada/observables/Observable.h"
#include "ada/observables/PairSet.h"

namespace ada {

class Contacts : public Observable {
public:
    Contacts(PairSet pairs, double r0, int n, int m);
    std::string type() const override { return "contacts"; }
    int dimension() const override { return 1; }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;

private:
    PairSet set_;
    double r0_;
    int n_, m_;
};

}  // namespace ada
