#pragma once
// A trained generative model as `ada pretrain` writes it: the vector field (ModelBundle.h) together with how
// its training data were prepared, so that samples come back in the frame of the data and can be matched to
// atoms. Stored in the field's bundle under config["data"] (the bundle stays loadable by loadVectorField):
//   {"layout": "particles"|"vectors", "atoms": [...] (system indices of the modelled particles, or empty),
//    "num_system_atoms": n, "centred": bool, "aligned": bool, "reference": [N x 3 values] (when aligned),
//    "scale": s}
// The field models y = x / s, x the prepared data in nm and s their standard deviation (one number, so
// rotation and permutation symmetries are kept): flow matching from N(0, I) works best on data of unit scale.
// Samples are x = s y, and densities transform as log p_x(x) = log p_y(x / s) - d ln s (d the dimension of
// the modelled space: D, or (N - 1) S for zero-centre-of-mass particles).
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ada/models/VectorField.h"

namespace ada {
class Dataset;
}

namespace ada {

struct DataPreparation {
    bool particles = true;
    std::vector<int> atoms;       // system atom of each modelled particle (empty: all, in order)
    int64_t numSystemAtoms = 0;   // particles per frame of the original data
    bool centred = false;         // zero centre of mass
    bool aligned = false;         // superposed on `reference` (Kabsch)
    std::vector<double> reference;
    double scale = 1.0;           // s: the model works on x / s

    /** Frames of the system (or vectors) prepared as the training data were: the modelled atoms selected, the
     *  centre of mass removed and superposed on `reference` as far as this preparation says (not scaled).
     *  Throws SpecError naming the frames' source if they have another number of atoms than the system. */
    Dataset apply(const Dataset& frames) const;
    /** The frames as samples of a model with event shape `eventShape`: apply(frames) / scale, [n, event...]. */
    at::Tensor modelSamplesOf(const Dataset& frames, const std::vector<int64_t>& eventShape, c10::ScalarType dtype) const;
    /** Samples y [n, event...] of the model as frames x = s y in the data's units (float64): [n, N, 3] for
     *  particles, [n, D] for vectors. */
    at::Tensor framesOf(const at::Tensor& samples) const;

    nlohmann::json toJson() const;
    static DataPreparation fromJson(const nlohmann::json& config, const std::string& where);
};

struct TrainedModel {
    std::shared_ptr<VectorField> field;
    DataPreparation data;
    /** config["model_kind"]: "flow_matching" (the default, ada pretrain) or "adjoint_sampling" (soc/AdjointSampler.h),
     *  which says how the field is sampled; config["sampler"] holds that sampler's settings (null for flows). */
    std::string modelKind = "flow_matching";
    nlohmann::json sampler;
};

/** Write field + preparation as one bundle (atomically). */
void saveTrainedModel(VectorField& field, const DataPreparation& data, const std::string& path);
/** Read a model written by saveTrainedModel (or a bare vector field, whose preparation is then the default). */
TrainedModel loadTrainedModel(const std::string& path);

}  // namespace ada
