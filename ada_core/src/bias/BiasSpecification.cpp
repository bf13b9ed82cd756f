#include "ada/bias/BiasSpecification.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"

namespace ada {

using nlohmann::json;

BiasSpecification BiasSpecification::fromFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw SpecError(path + ": cannot open bias specification (missing or unreadable)");
    std::stringstream text;
    text << in.rdbuf();
    const size_t slash = path.find_last_of('/');
    return fromJsonText(text.str(), path, slash == std::string::npos ? "." : path.substr(0, slash));
}

BiasSpecification BiasSpecification::fromJsonText(const std::string& text, const std::string& source, const std::string& baseDirectory) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        throw SpecError(source + ": malformed JSON: " + e.what());
    }
    BiasSpecification spec;
    JsonFields f(root, source);
    spec.temperature_ = f.number("temperature", 300.0);
    if (!(spec.temperature_ > 0))
        throw SpecError(f.path("temperature") + ": expected a positive temperature in kelvin");
    const json& terms = f.require("terms");
    if (!terms.is_array())
        throw SpecError(f.path("terms") + ": expected a list of terms");
    std::set<int> atoms;
    for (size_t i = 0; i < terms.size(); ++i) {
        const std::string where = f.path("terms") + "[" + std::to_string(i) + "]";
        JsonFields tf(terms[i], where);
        Term term;
        term.observable = makeObservable(tf.require("observable"), tf.path("observable"));
        term.function = makeBiasFunction(tf.require("function"), tf.path("function"), term.observable->isAngle(), baseDirectory);
        if (term.function->inputDimension() != term.observable->dimension())
            throw SpecError(where + ": the " + term.function->type() + " function takes " + std::to_string(term.function->inputDimension()) +
                            " input(s) but the " + term.observable->type() + " observable has dimension " +
                            std::to_string(term.observable->dimension()));
        atoms.insert(term.observable->atoms().begin(), term.observable->atoms().end());
        spec.terms_.push_back(std::move(term));
    }
    spec.atoms_.assign(atoms.begin(), atoms.end());
    return spec;
}

void BiasSpecification::checkAtoms(int numParticles) const {
    for (size_t i = 0; i < terms_.size(); ++i) {
        try {
            terms_[i].observable->checkAtoms(numParticles);
        } catch (const SpecError& e) {
            throw SpecError("bias term " + std::to_string(i) + ": " + e.what());
        }
    }
}

double BiasSpecification::evaluate(const double* positions, const PeriodicBox& box, double* gradient, double* termValues) const {
    double total = 0;
    for (size_t i = 0; i < terms_.size(); ++i) {
        const Observable& o = *terms_[i].observable;
        const int d = o.dimension();
        const size_t n = o.atoms().size();
        valueBuffer_.resize(d);
        functionGradient_.resize(d);
        if (gradient)
            jacobianBuffer_.resize(static_cast<size_t>(d) * n * 3);
        o.evaluate(positions, box, valueBuffer_.data(), gradient ? jacobianBuffer_.data() : nullptr);
        const double f = terms_[i].function->evaluate(valueBuffer_.data(), gradient ? functionGradient_.data() : nullptr);
        total += f;
        if (termValues)
            termValues[i] = f;
        if (!gradient)
            continue;
        for (int k = 0; k < d; ++k) {
            const double g = functionGradient_[k];
            if (g == 0)
                continue;
            const double* row = jacobianBuffer_.data() + static_cast<size_t>(k) * n * 3;
            for (size_t a = 0; a < n; ++a)
                for (int c = 0; c < 3; ++c)
                    gradient[3 * o.atoms()[a] + c] += g * row[3 * a + c];
        }
    }
    return total;
}

std::string BiasSpecification::toJsonText() const {
    json terms = json::array();
    for (const Term& t : terms_)
        terms.push_back({{"observable", t.observable->toJson()}, {"function", t.function->toJson()}});
    return json{{"temperature", temperature_}, {"terms", terms}}.dump();
}

}  // namespace ada
