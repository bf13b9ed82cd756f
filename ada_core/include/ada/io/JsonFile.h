#pragma once
// Reading a JSON file (a specification named on the command line or in Python), with one-line errors.
#include <string>

#include <nlohmann/json.hpp>

namespace ada {

/** The parsed file; throws SpecError "<path>: cannot open the <what>" or "<path>: malformed JSON: ...". */
nlohmann::json readJsonFile(const std::string& path, const std::string& what);

}  // namespace ada
