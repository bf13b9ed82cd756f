#include "ada/io/JsonFile.h"

#include <fstream>

#include "ada/io/SpecError.h"

namespace ada {

nlohmann::json readJsonFile(const std::string& path, const std::string& what) {
    std::ifstream in(path);
    if (!in)
        throw SpecError(path + ": cannot open the " + what);
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw SpecError(path + ": malformed JSON: " + e.what());
    }
}

}  // namespace ada
