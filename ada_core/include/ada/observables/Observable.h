#pragma once
// An observable o: R^{N x 3} -> R^d of DESIGN.md §4, evaluated with its Jacobian. Written once, it serves
// the bias force (one configuration, double precision, analytic derivatives) and training (batched and
// differentiable through ada/torch/ObservableOp.h, whose backward pass uses the same Jacobian).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ada/observables/PeriodicBox.h"

namespace ada {

class Observable {
public:
    virtual ~Observable() = default;
    /** The JSON "type" name, e.g. "dihedral". */
    virtual std::string type() const = 0;
    /** Dimension d of the observable's value. */
    virtual int dimension() const = 0;
    /** Whether the value is an angle on (-pi, pi] (periodic splines apply by default). */
    virtual bool isAngle() const { return false; }
    /** For an image (e.g. a contact map): its shape {height, width}, row-major, height · width = d; empty otherwise.
     *  Critics of images are convolutional (ada/align/Critic.h). */
    virtual std::vector<int64_t> imageShape() const { return {}; }
    /** The particles it depends on, in the order the Jacobian uses (gradients are accumulated per index). */
    const std::vector<int>& atoms() const { return atoms_; }
    /**
     * Evaluate at one configuration.
     * @param positions  all particle positions, [numParticles][3] in nm (only atoms() are read)
     * @param box        periodic box (minimum image convention when periodic)
     * @param value      out: d values
     * @param jacobian   out (may be null): [d][atoms().size()][3], d value / d position (per nm)
     */
    virtual void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const = 0;
    /** Serialise back to the JSON form of the bias specification. */
    virtual nlohmann::json toJson() const = 0;
    /** Throws SpecError if an atom index is >= numParticles. */
    void checkAtoms(int numParticles) const;

protected:
    std::vector<int> atoms_;
};

/** Build an observable from its JSON object; `where` names the file and field for error messages. */
std::unique_ptr<Observable> makeObservable(const nlohmann::json& spec, const std::string& where);

}  // namespace ada
