#pragma once
// For the tests of clear errors (DESIGN.md §6): the message of the SpecError a call throws.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "ada/io/SpecError.h"

/** The message of the ada::SpecError that `f` throws, or "no error" if it throws none. */
inline std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const ada::SpecError& e) {
        return e.what();
    }
    return "no error";
}

/** Expects `f` to throw an ada::SpecError whose message contains `fragment`. */
inline void expectSpecError(const std::function<void()>& f, const std::string& fragment) {
    const std::string message = errorOf(f);
    EXPECT_NE(message.find(fragment), std::string::npos) << "expected a SpecError containing \"" << fragment << "\", got: " << message;
}
