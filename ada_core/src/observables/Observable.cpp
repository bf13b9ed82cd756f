#include "ada/observables/Observable.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"
#include "ada/observables/Angle.h"
#include "ada/observables/ContactMap.h"
#include "ada/observables/Contacts.h"
#include "ada/observables/Coordinates.h"
#include "ada/observables/Dihedral.h"
#include "ada/observables/Distance.h"
#include "ada/observables/JCoupling.h"
#include "ada/observables/RadialDistribution.h"
#include "ada/observables/RadiusOfGyration.h"

namespace ada {

using nlohmann::json;

void Observable::checkAtoms(int numParticles) const {
    for (int atom : atoms_)
        if (atom >= numParticles)
            throw SpecError(type() + " observable: atom index " + std::to_string(atom) + " is out of range (the system has " +
                            std::to_string(numParticles) + " particles)");
}

namespace {

std::vector<int> fixedAtoms(const JsonFields& f, size_t count) {
    std::vector<int> atoms = f.atomIndices("atoms");
    if (atoms.size() != count)
        throw SpecError(f.path("atoms") + ": expected " + std::to_string(count) + " atom indices, found " +
                        std::to_string(atoms.size()));
    return atoms;
}

PairSet pairSet(const JsonFields& f) {
    if (f.has("pairs") == f.has("groups"))
        throw SpecError(f.where() + ": give exactly one of \"pairs\" (a list of [i, j]) or \"groups\" (two lists of atoms)");
    if (f.has("pairs")) {
        const json& list = f.require("pairs");
        if (!list.is_array() || list.empty())
            throw SpecError(f.path("pairs") + ": expected a non-empty list of [i, j] pairs");
        std::vector<std::pair<int, int>> pairs;
        for (size_t p = 0; p < list.size(); ++p) {
            std::vector<int> ij = atomIndexList(list[p], f.path("pairs") + "[" + std::to_string(p) + "]");
            if (ij.size() != 2)
                throw SpecError(f.path("pairs") + "[" + std::to_string(p) + "]: expected two atom indices");
            pairs.emplace_back(ij[0], ij[1]);
        }
        return PairSet::fromPairs(pairs);
    }
    const json& groups = f.require("groups");
    if (!groups.is_array() || groups.size() != 2)
        throw SpecError(f.path("groups") + ": expected two lists of atom indices");
    std::vector<int> a = atomIndexList(groups[0], f.path("groups") + "[0]");
    std::vector<int> b = atomIndexList(groups[1], f.path("groups") + "[1]");
    if (a.empty() || b.empty())
        throw SpecError(f.path("groups") + ": both groups must be non-empty");
    PairSet set = PairSet::fromGroups(a, b);
    if (set.pairs.empty())
        throw SpecError(f.path("groups") + ": the groups form no pair of distinct atoms");
    return set;
}

double positive(const JsonFields& f, const std::string& key, double value) {
    if (!(value > 0))
        throw SpecError(f.path(key) + ": expected a positive number, found " + std::to_string(value));
    return value;
}

}  // namespace

std::unique_ptr<Observable> makeObservable(const json& spec, const std::string& where) {
    JsonFields f(spec, where);
    const std::string type = f.string("type");
    if (type == "distance") {
        auto a = fixedAtoms(f, 2);
        return std::make_unique<Distance>(a[0], a[1]);
    }
    if (type == "angle") {
        auto a = fixedAtoms(f, 3);
        return std::make_unique<Angle>(a[0], a[1], a[2]);
    }
    if (type == "dihedral") {
        auto a = fixedAtoms(f, 4);
        return std::make_unique<Dihedral>(a[0], a[1], a[2], a[3]);
    }
    if (type == "jcoupling") {
        auto a = fixedAtoms(f, 4);
        return std::make_unique<JCoupling>(a[0], a[1], a[2], a[3], f.number("A", 6.51), f.number("B", -1.76),
                                           f.number("C", 1.60), f.number("offset", -M_PI / 3));
    }
    if (type == "rg") {
        auto atoms = f.atomIndices("atoms");
        if (atoms.size() < 2)
            throw SpecError(f.path("atoms") + ": rg needs at least two atoms");
        return std::make_unique<RadiusOfGyration>(atoms);
    }
    if (type == "coordinates") {
        auto atoms = f.atomIndices("atoms");
        if (atoms.empty())
            throw SpecError(f.path("atoms") + ": coordinates needs at least one atom");
        std::string comps = f.string("components", "xyz");
        std::vector<int> components;
        for (char c : comps) {
            int k = c == 'x' ? 0 : c == 'y' ? 1 : c == 'z' ? 2 : -1;
            if (k < 0 || std::find(components.begin(), components.end(), k) != components.end())
                throw SpecError(f.path("components") + ": expected distinct letters from \"xyz\", found \"" + comps + "\"");
            components.push_back(k);
        }
        if (components.empty())
            throw SpecError(f.path("components") + ": expected at least one of x, y, z");
        return std::make_unique<Coordinates>(atoms, components);
    }
    if (type == "contacts") {
        const int n = f.integer("n", 6), m = f.integer("m", 12);
        if (n <= 0 || m <= n)
            throw SpecError(f.where() + ": contacts needs 0 < n < m, found n = " + std::to_string(n) + ", m = " + std::to_string(m));
        return std::make_unique<Contacts>(pairSet(f), positive(f, "r0", f.number("r0")), n, m);
    }
    if (type == "contact_map") {
        const int n = f.integer("n", 6), m = f.integer("m", 12);
        if (n <= 0 || m <= n)
            throw SpecError(f.where() + ": contact_map needs 0 < n < m, found n = " + std::to_string(n) + ", m = " + std::to_string(m));
        std::vector<int> atoms = f.atomIndices("atoms");
        if (atoms.size() < 2)
            throw SpecError(f.path("atoms") + ": contact_map needs at least two atoms");
        std::vector<int> sorted = atoms;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
            throw SpecError(f.path("atoms") + ": contact_map needs distinct atoms (atom " + std::to_string(*std::adjacent_find(sorted.begin(), sorted.end())) +
                            " is repeated)");
        return std::make_unique<ContactMap>(atoms, positive(f, "r0", f.number("r0")), n, m);
    }
    if (type == "rdf") {
        const int bins = f.integer("bins");
        if (bins <= 0)
            throw SpecError(f.path("bins") + ": expected a positive number of bins");
        const double rmin = f.number("rmin", 0.0), rmax = f.number("rmax");
        if (!(rmin >= 0 && rmax > rmin))
            throw SpecError(f.where() + ": rdf needs 0 <= rmin < rmax");
        const double sigma = positive(f, "sigma", f.number("sigma", (rmax - rmin) / bins));
        const double volume = f.has("volume") ? positive(f, "volume", f.number("volume")) : 0.0;
        return std::make_unique<RadialDistribution>(pairSet(f), bins, rmin, rmax, sigma, volume);
    }
    throw SpecError(f.path("type") + ": unknown observable type \"" + type +
                    "\" (expected one of coordinates, distance, angle, dihedral, rg, jcoupling, contacts, contact_map, rdf)");
}

}  // namespace ada
