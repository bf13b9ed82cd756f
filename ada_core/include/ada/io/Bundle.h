#pragma once
// A bundle: one self-describing file holding a model's kind, its configuration and its named tensors
// (DESIGN.md §4 "Models and bundles"). Layout, little-endian:
//   8 bytes  magic "ADABNDL\n"
//   uint32   format version (Bundle::formatVersion)
//   uint64   length L of the header
//   L bytes  header JSON: {"kind": ..., "config": {...},
//                          "tensors": [{"name", "dtype": "float64"|"float32", "shape", "offset", "nbytes"}]}
//   ...      tensor data, each at its offset from the end of the header
// A reader needs no knowledge of the architecture: "kind" and "config" say how to rebuild the model.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ada {

struct BundleTensor {
    std::vector<int64_t> shape;
    std::vector<double> values;  // row-major
    size_t numel() const;
};

struct Bundle {
    static constexpr uint32_t formatVersion = 1;

    std::string kind;
    nlohmann::json config = nlohmann::json::object();
    std::map<std::string, BundleTensor> tensors;

    /** Throws SpecError naming the file on any problem (missing, truncated, bad magic, other version). */
    static Bundle read(const std::string& path);
    /** Writes to a temporary file and renames it, so a failed write never destroys an existing bundle. */
    void write(const std::string& path) const;
    const BundleTensor& tensor(const std::string& name, const std::string& where) const;
};

}  // namespace ada
