#include "ada/bias/BiasFunction.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "ada/bias/MLPFunction.h"
#include "ada/bias/Polynomial.h"
#include "ada/bias/Spline.h"
#include "ada/io/Bundle.h"
#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"

namespace ada {

std::unique_ptr<BiasFunction> makeBiasFunction(const nlohmann::json& spec, const std::string& where, bool angleInput,
                                               const std::string& baseDirectory) {
    JsonFields f(spec, where);
    const std::string type = f.string("type");
    if (type == "spline") {
        auto spline = std::make_unique<Spline>(f.numbers("grid"), f.numbers("values"), f.boolean("periodic", angleInput), where);
        const std::vector<double> grid = f.numbers("grid");
        if (angleInput && spline->periodic() && std::abs(grid.back() - grid.front() - 2 * M_PI) > 1e-6)
            throw SpecError(f.path("grid") + ": a periodic spline of an angle must span one turn (grid[last] - grid[0] = 2 pi), found " +
                            std::to_string(grid.back() - grid.front()));
        return spline;
    }
    if (type == "mlp") {
        if (f.has("file") == f.has("layers"))
            throw SpecError(where + ": an mlp gives exactly one of \"file\" (a bundle) or \"layers\" (inline weights)");
        if (f.has("layers"))
            return std::make_unique<MLPFunction>(MLPFunction::fromJson(spec, where));
        std::string file = f.string("file");
        if (!file.empty() && file[0] != '/' && !baseDirectory.empty())
            file = baseDirectory + "/" + file;
        return std::make_unique<MLPFunction>(MLPFunction::fromBundle(Bundle::read(file), where + ".file (" + file + ")"));
    }
    if (type == "polynomial")
        return std::make_unique<Polynomial>(Polynomial::fromJson(spec, where));
    throw SpecError(f.path("type") + ": unknown function type \"" + type + "\" (expected spline, mlp or polynomial)");
}

}  // namespace ada
