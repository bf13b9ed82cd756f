#include "ada/observables/PairSet.h"

#include <cstddef>
#include <unordered_map>

namespace ada {

namespace {
int localIndex(PairSet& set, std::unordered_map<int, int>& index, int atom) {
    auto it = index.find(atom);
    if (it != index.end())
        return it->second;
    int local = static_cast<int>(set.atoms.size());
    set.atoms.push_back(atom);
    index.emplace(atom, local);
    return local;
}
}  // namespace

PairSet PairSet::fromPairs(const std::vector<std::pair<int, int>>& pairs) {
    PairSet set;
    std::unordered_map<int, int> index;
    set.original = pairs;
    for (const auto& p : pairs)
        if (p.first != p.second)
            set.pairs.emplace_back(localIndex(set, index, p.first), localIndex(set, index, p.second));
    return set;
}

PairSet PairSet::fromGroups(const std::vector<int>& groupA, const std::vector<int>& groupB) {
    PairSet set;
    std::unordered_map<int, int> index;
    set.groups = {groupA, groupB};
    const bool same = groupA == groupB;
    for (std::size_t a = 0; a < groupA.size(); ++a)
        for (std::size_t b = same ? a + 1 : 0; b < groupB.size(); ++b)
            if (groupA[a] != groupB[b])
                set.pairs.emplace_back(localIndex(set, index, groupA[a]), localIndex(set, index, groupB[b]));
    for (int atom : groupA)
        localIndex(set, index, atom);
    for (int atom : groupB)
        localIndex(set, index, atom);
    return set;
}

}  // namespace ada
