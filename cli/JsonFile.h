#pragma once
// Reading a JSON file named on the command line, with the one-line errors the verbs report.
#include <string>

#include <nlohmann/json.hpp>

/** The parsed file; throws SpecError "<path>: cannot open the <what>" or "<path>: malformed JSON: ...". */
nlohmann::json readJsonFile(const std::string& path, const std::string& what);
