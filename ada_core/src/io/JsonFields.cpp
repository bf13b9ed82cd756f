#include "ada/io/JsonFields.h"

#include <cmath>

#include "ada/io/SpecError.h"

namespace ada {

using nlohmann::json;

JsonFields::JsonFields(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object())
        throw SpecError(where_ + ": expected a JSON object, found " + std::string(object_.type_name()));
}

std::string JsonFields::path(const std::string& key) const { return where_ + "." + key; }

bool JsonFields::has(const std::string& key) const { return object_.contains(key); }

const json& JsonFields::require(const std::string& key) const {
    auto it = object_.find(key);
    if (it == object_.end())
        throw SpecError(path(key) + ": required field is missing");
    return *it;
}

std::string JsonFields::string(const std::string& key) const {
    const json& v = require(key);
    if (!v.is_string())
        throw SpecError(path(key) + ": expected a string, found " + std::string(v.type_name()));
    return v.get<std::string>();
}

std::string JsonFields::string(const std::string& key, const std::string& fallback) const {
    return has(key) ? string(key) : fallback;
}

double JsonFields::number(const std::string& key) const {
    const json& v = require(key);
    if (!v.is_number())
        throw SpecError(path(key) + ": expected a number, found " + std::string(v.type_name()));
    double x = v.get<double>();
    if (!std::isfinite(x))
        throw SpecError(path(key) + ": expected a finite number");
    return x;
}

double JsonFields::number(const std::string& key, double fallback) const {
    return has(key) ? number(key) : fallback;
}

int JsonFields::integer(const std::string& key) const {
    const json& v = require(key);
    if (!v.is_number_integer())
        throw SpecError(path(key) + ": expected an integer, found " + v.dump());
    return v.get<int>();
}

int JsonFields::integer(const std::string& key, int fallback) const {
    return has(key) ? integer(key) : fallback;
}

int64_t JsonFields::integer64(const std::string& key) const {
    const json& v = require(key);
    if (!v.is_number_integer())
        throw SpecError(path(key) + ": expected an integer, found " + v.dump());
    return v.get<int64_t>();
}

int64_t JsonFields::integer64(const std::string& key, int64_t fallback) const {
    return has(key) ? integer64(key) : fallback;
}

uint64_t JsonFields::unsignedInteger(const std::string& key) const {
    const json& v = require(key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
        throw SpecError(path(key) + ": expected a non-negative integer, found " + v.dump());
    return v.get<uint64_t>();
}

uint64_t JsonFields::unsignedInteger(const std::string& key, uint64_t fallback) const {
    return has(key) ? unsignedInteger(key) : fallback;
}

bool JsonFields::boolean(const std::string& key, bool fallback) const {
    if (!has(key))
        return fallback;
    const json& v = require(key);
    if (!v.is_boolean())
        throw SpecError(path(key) + ": expected true or false, found " + v.dump());
    return v.get<bool>();
}

std::vector<double> JsonFields::numbers(const std::string& key) const { return finiteNumbers(require(key), path(key)); }

std::vector<int> JsonFields::atomIndices(const std::string& key) const { return atomIndexList(require(key), path(key)); }

std::vector<double> finiteNumbers(const json& value, const std::string& where) {
    if (!value.is_array())
        throw SpecError(where + ": expected a list of numbers, found " + std::string(value.type_name()));
    std::vector<double> out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
        const json& v = value[i];
        // NaN and infinity are written as null by JSON serialisers, or as strings by hand.
        if (!v.is_number())
            throw SpecError(where + "[" + std::to_string(i) + "]: expected a finite number, found " +
                            (v.is_null() ? std::string("null (NaN or infinity?)") : v.dump()));
        double x = v.get<double>();
        if (!std::isfinite(x))
            throw SpecError(where + "[" + std::to_string(i) + "]: NaN or infinite value");
        out.push_back(x);
    }
    return out;
}

std::vector<int> atomIndexList(const json& value, const std::string& where) {
    if (!value.is_array())
        throw SpecError(where + ": expected a list of atom indices, found " + std::string(value.type_name()));
    std::vector<int> out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
        const json& v = value[i];
        if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 2147483647LL)
            throw SpecError(where + "[" + std::to_string(i) + "]: expected a non-negative atom index, found " + v.dump());
        out.push_back(v.get<int>());
    }
    return out;
}

}  // namespace ada
