#pragma once
// A set of atom pairs, given explicitly or as all pairs between two groups (unordered pairs when the groups
// are the same list; a particle is never paired with itself). Stores the distinct atoms once and the pairs
// as indices into that list, so pair observables (Contacts, RadialDistribution) fill a compact Jacobian.
#include <utility>
#include <vector>

namespace ada {

struct PairSet {
    std::vector<int> atoms;                    // distinct atoms, first-seen order
    std::vector<std::pair<int, int>> pairs;    // local indices into atoms
    std::vector<std::pair<int, int>> original; // the pairs as given (system indices), for serialisation
    std::vector<std::vector<int>> groups;      // the groups, when given as groups (for serialisation)

    static PairSet fromPairs(const std::vector<std::pair<int, int>>& pairs);
    static PairSet fromGroups(const std::vector<int>& groupA, const std::vector<int>& groupB);
};

}  // namespace ada
