#pragma once
// Typed access to fields of a JSON specification. Every failure throws SpecError naming where the field
// is (file and path, e.g. "bias.json: terms[1].observable.atoms") and what was expected.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ada {

class JsonFields {
public:
    JsonFields(const nlohmann::json& object, std::string where);

    bool has(const std::string& key) const;
    const nlohmann::json& require(const std::string& key) const;
    std::string string(const std::string& key) const;
    std::string string(const std::string& key, const std::string& fallback) const;
    double number(const std::string& key) const;
    double number(const std::string& key, double fallback) const;
    int integer(const std::string& key) const;
    int integer(const std::string& key, int fallback) const;
    /** 64-bit integers (counts of steps and samples) and non-negative ones (seeds). */
    int64_t integer64(const std::string& key) const;
    int64_t integer64(const std::string& key, int64_t fallback) const;
    uint64_t unsignedInteger(const std::string& key) const;
    uint64_t unsignedInteger(const std::string& key, uint64_t fallback) const;
    bool boolean(const std::string& key, bool fallback) const;
    std::vector<double> numbers(const std::string& key) const;
    std::vector<int> atomIndices(const std::string& key) const;
    /** The location of a field, for messages about its content. */
    std::string path(const std::string& key) const;
    const std::string& where() const { return where_; }
    const nlohmann::json& object() const { return object_; }

private:
    const nlohmann::json& object_;
    std::string where_;
};

/** Parse a list of finite numbers; `where` names it. */
std::vector<double> finiteNumbers(const nlohmann::json& value, const std::string& where);
/** Parse a list of non-negative atom indices; `where` names it. */
std::vector<int> atomIndexList(const nlohmann::json& value, const std::string& where);

}  // namespace ada
