#include "ada/align/ObservableSpecification.h"

#include <cmath>
#include <filesystem>

#include <ATen/ATen.h>

#include "ada/io/JsonFields.h"
#include "ada/io/JsonFile.h"
#include "ada/io/Npy.h"
#include "ada/io/SpecError.h"

namespace ada {

at::Tensor readObservableSamples(const std::string& path, const std::string& where) {
    const NpyArray a = readNpy(path);
    if (a.shape.size() == 1)
        return at::tensor(a.values, at::kDouble).reshape({a.shape[0], 1});
    if (a.shape.size() != 2)
        throw SpecError(where + " (" + path + "): expected samples of shape [m] or [m, d], found " + shapeText(a.shape));
    return at::tensor(a.values, at::kDouble).reshape({a.shape[0], a.shape[1]});
}

ObservableSpecification readObservableSpecification(const std::string& path, const DataPreparation& preparation,
                                                    const std::vector<int64_t>& eventShape) {
    const nlohmann::json spec = readJsonFile(path, "observable specification");
    const JsonFields fields(spec, path);
    ObservableSpecification out;
    out.temperature = fields.number("temperature", 300.0);
    if (!(out.temperature > 0))
        throw SpecError(fields.path("temperature") + ": expected a positive temperature in K");
    const nlohmann::json& list = fields.require("observables");
    if (!list.is_array() || list.empty())
        throw SpecError(fields.path("observables") + ": expected a non-empty list");
    const std::string folder = std::filesystem::path(path).parent_path().string();
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = path + ": observables[" + std::to_string(i) + "]";
        const JsonFields entry(list[i], where);
        std::string data = entry.string("data");
        if (!data.empty() && data[0] != '/' && !folder.empty())
            data = folder + "/" + data;
        const std::string name = entry.string("name");
        const double scale = entry.number("scale", 1.0);
        if (!(scale > 0) || !std::isfinite(scale))
            throw SpecError(entry.path("scale") + ": expected a positive, finite scale (the unit in which the critic is 1-Lipschitz)");
        out.targets.push_back(modelObservableTarget(name, entry.require("observable"), preparation, eventShape,
                                                    readObservableSamples(data, where + ".data"), where + " (\"" + name + "\")"));
        out.targets.back().lipschitz = 1.0 / scale;
    }
    return out;
}

}  // namespace ada
