#pragma once
// Vector fields as bundles (io/Bundle.h, DESIGN.md §4 "Models and bundles"): one self-describing file with
// kind = VectorField::kind() ("mlp_vector_field", "egnn_vector_field"), config = the options as JSON plus
// "dtype" (the dtype the parameters had when saved), and tensors = every named parameter and buffer
// (e.g. "layers.0.weight", "time_embedding.frequencies") stored as float64. A float32 model therefore
// round-trips exactly. Reading needs no knowledge of the architecture: kind and config rebuild it.
// Any problem (another format version, another kind, a missing, unexpected or mis-shaped tensor) throws
// SpecError naming the file and the tensor or field.
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "ada/io/Bundle.h"
#include "ada/models/VectorField.h"

namespace ada {

/** Builds an untrained field of the given kind from its config; `where` names the source in errors. */
std::shared_ptr<VectorField> buildVectorField(const std::string& kind, const nlohmann::json& config, const std::string& where);
/** A new, untrained field of `field`'s kind and config, on its device and in its dtype. */
std::shared_ptr<VectorField> buildVectorFieldLike(const VectorField& field, const std::string& where);
/** A copy of `field` (parameters and buffers) with gradients off: a trainer's weight average, a frozen base. */
std::shared_ptr<VectorField> frozenCopy(const VectorField& field, const std::string& where);

/** The field's parameters and buffers as float64 bundle tensors, their names prefixed by `prefix`. */
void storeVectorFieldTensors(VectorField& field, Bundle& bundle, const std::string& prefix = "");
/** Copies the tensors named prefix + parameter name into the field (keeping its dtype and device). Throws
 *  SpecError naming `where` and the tensor if one is missing or has another shape; with `exhaustive`, also
 *  if the bundle has a tensor under `prefix` that the field does not. */
void restoreVectorFieldTensors(VectorField& field, const Bundle& bundle, const std::string& where, const std::string& prefix = "",
                               bool exhaustive = true);

/** A bundle holding the field (kind, config with "dtype", tensors). */
Bundle vectorFieldBundle(VectorField& field);
/** Writes the field to `path` (atomically, see Bundle::write). */
void saveVectorField(VectorField& field, const std::string& path);
/** Rebuilds a field from a bundle read from `where`, with parameters of dtype/device `options`. */
std::shared_ptr<VectorField> vectorFieldFromBundle(const Bundle& bundle, const std::string& where, const at::TensorOptions& options);
/** Loads a field saved by saveVectorField, with parameters of dtype/device `options`. */
std::shared_ptr<VectorField> loadVectorField(const std::string& path, const at::TensorOptions& options);
/** Loads a field saved by saveVectorField, on the CPU in the dtype it was saved from. */
std::shared_ptr<VectorField> loadVectorField(const std::string& path);

}  // namespace ada
