#include "ada/models/TrainedModel.h"

#include <nlohmann/json.hpp>

#include "ada/data/DatasetTensor.h"
#include "ada/io/Bundle.h"
#include "ada/io/Dataset.h"
#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"
#include "ada/models/ModelBundle.h"

#include <ATen/ATen.h>

namespace ada {

using nlohmann::json;

Dataset DataPreparation::apply(const Dataset& frames) const {
    if (!particles) {
        if (frames.layout() == Dataset::Layout::Particles)
            throw SpecError(frames.source() + ": particle frames [B, N, 3], but the model was trained on vectors");
        return frames;
    }
    if (frames.layout() != Dataset::Layout::Particles)
        throw SpecError(frames.source() + ": expected particle frames [B, N, 3] for a model of particles");
    if (numSystemAtoms > 0 && frames.numAtoms() != numSystemAtoms)
        throw SpecError(frames.source() + ": frames of " + std::to_string(frames.numAtoms()) + " atoms, the model's system has " +
                        std::to_string(numSystemAtoms));
    Dataset out = atoms.empty() ? frames : frames.selectAtoms(atoms);
    if (centred)
        out.removeCentreOfMass();
    if (aligned)
        out.alignTo(reference);
    return out;
}

at::Tensor DataPreparation::modelSamplesOf(const Dataset& frames, const std::vector<int64_t>& eventShape, c10::ScalarType dtype) const {
    const Dataset prepared = apply(frames);
    int64_t size = 1;
    for (int64_t s : eventShape)
        size *= s;
    if (prepared.frameSize() != size)
        throw SpecError(frames.source() + ": frames of " + std::to_string(prepared.frameSize()) + " values (prepared), the model's samples have " +
                        std::to_string(size));
    std::vector<int64_t> shape = {prepared.numFrames()};
    shape.insert(shape.end(), eventShape.begin(), eventShape.end());
    return (datasetTensor(prepared, TensorShape::Flat, c10::kDouble) / scale).reshape(shape).to(dtype);
}

at::Tensor DataPreparation::framesOf(const at::Tensor& samples) const {
    const at::Tensor x = samples.to(at::kDouble) * scale;
    return particles ? x.reshape({samples.size(0), -1, 3}) : x.reshape({samples.size(0), -1});
}

json DataPreparation::toJson() const {
    json j = {{"layout", particles ? "particles" : "vectors"}, {"atoms", atoms}, {"num_system_atoms", numSystemAtoms},
              {"centred", centred}, {"aligned", aligned}, {"scale", scale}};
    if (aligned)
        j["reference"] = reference;
    return j;
}

DataPreparation DataPreparation::fromJson(const json& config, const std::string& where) {
    JsonFields f(config, where);
    DataPreparation d;
    const std::string layout = f.string("layout", "particles");
    if (layout != "particles" && layout != "vectors")
        throw SpecError(f.path("layout") + ": expected \"particles\" or \"vectors\", found \"" + layout + "\"");
    d.particles = layout == "particles";
    if (f.has("atoms"))
        d.atoms = f.atomIndices("atoms");
    d.numSystemAtoms = f.integer("num_system_atoms", 0);
    d.centred = f.boolean("centred", false);
    d.aligned = f.boolean("aligned", false);
    if (d.aligned)
        d.reference = f.numbers("reference");
    d.scale = f.number("scale", 1.0);
    if (!(d.scale > 0))
        throw SpecError(f.path("scale") + ": expected a positive number");
    return d;
}

void saveTrainedModel(VectorField& field, const DataPreparation& data, const std::string& path) {
    Bundle bundle = vectorFieldBundle(field);
    bundle.config["data"] = data.toJson();
    bundle.write(path);
}

TrainedModel loadTrainedModel(const std::string& path) {
    Bundle bundle = Bundle::read(path);
    TrainedModel model;
    if (bundle.config.contains("data")) {
        model.data = DataPreparation::fromJson(bundle.config["data"], path + ": config.data");
        bundle.config.erase("data");
    }
    if (bundle.config.contains("model_kind")) {
        if (!bundle.config["model_kind"].is_string())
            throw SpecError(path + ": config.model_kind: expected a string, found " + bundle.config["model_kind"].dump());
        model.modelKind = bundle.config["model_kind"].get<std::string>();
        bundle.config.erase("model_kind");
    }
    if (bundle.config.contains("sampler")) {
        model.sampler = bundle.config["sampler"];
        bundle.config.erase("sampler");
    }
    const std::string dtype = bundle.config.value("dtype", std::string("float64"));
    model.field = vectorFieldFromBundle(bundle, path, at::TensorOptions().dtype(dtype == "float32" ? at::kFloat : at::kDouble));
    return model;
}

}  // namespace ada
