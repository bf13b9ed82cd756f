#include "ada/io/JsonFile.h"

#include <fstream>

#include "ada/io/SpecError.h"
#include "ada/io/StagedFile.h"

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

void writeJsonFile(const std::string& path, const nlohmann::json& value, int indent) {
    const std::string text = value.dump(indent) + "\n";
    StagedFile out(path);
    out.write(text.data(), text.size());
    out.commit();
}

}  // namespace ada
