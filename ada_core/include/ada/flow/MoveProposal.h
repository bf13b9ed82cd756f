#pragma once
// The proposal of a Metropolis–Hastings move for generator-driven Monte Carlo (DESIGN.md §3.6): from the
// current positions x, a candidate x' with the log-densities of the move both ways, so that a caller accepts
// with min(1, π(x') Q(x' → x) / (π(x) Q(x → x'))) whatever the proposal. Both densities are with respect to
// the same reference measure on the set the proposal moves in (stated by each implementation), so their
// ratio is what Metropolis–Hastings needs. Implementations: FlowProposal.h (Cartesian positions of a set of
// atoms), TorsionProposal.h (dihedral angles, by rigid rotations of groups of atoms).
#include <cstdint>
#include <vector>

namespace ada {

/** A proposed configuration with the log-densities of the move both ways. */
struct ProposedMove {
    std::vector<double> positions;  // x' (as many values as the current positions, nm)
    double logForward = 0;          // log Q(x → x')
    double logReverse = 0;          // log Q(x' → x)
};

class MoveProposal {
public:
    virtual ~MoveProposal() = default;
    /**
     * x' ~ Q(x → ·) for the current positions x (numAtoms() x 3 values, nm), with log Q both ways. `lookahead`:
     * how many proposals are expected from this same x if this one is rejected (this one included), so that an
     * implementation may compute reverse densities for that many in one batch.
     */
    virtual ProposedMove propose(const std::vector<double>& current, int64_t lookahead) = 0;
    /** The number of atoms whose positions propose() takes and returns. */
    virtual int64_t numAtoms() const = 0;
};

}  // namespace ada
