#pragma once
// The one exception type for bad input to ada_core: a specification, a bundle or a data file that
// cannot be used. Messages name the file, the field and what was expected.
#include <stdexcept>
#include <string>

namespace ada {

class SpecError : public std::runtime_error {
public:
    explicit SpecError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace ada
