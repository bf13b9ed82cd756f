// The bundle format: round trip, and clear errors for a missing, truncated, foreign or newer file; a failed
// read or write leaves an existing bundle intact.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>

#include "ada/io/Bundle.h"
#include "ada/io/SpecError.h"

namespace {
std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/" + name; }

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string errorReading(const std::string& path) {
    try {
        ada::Bundle::read(path);
    } catch (const ada::SpecError& e) {
        return e.what();
    }
    return "no error";
}

ada::Bundle example() {
    ada::Bundle b;
    b.kind = "mlp";
    b.config = {{"activations", {"tanh", "linear"}}};
    b.tensors["a"] = {{2, 3}, {1, 2, 3, 4, 5, 6.5}};
    b.tensors["b"] = {{1}, {-0.25}};
    return b;
}
}  // namespace

TEST(Bundle, RoundTrip) {
    example().write(tmpPath("roundtrip.adab"));
    ada::Bundle b = ada::Bundle::read(tmpPath("roundtrip.adab"));
    EXPECT_EQ(b.kind, "mlp");
    EXPECT_EQ(b.config["activations"][1], "linear");
    EXPECT_EQ(b.tensor("a", "t").shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(b.tensor("a", "t").values, (std::vector<double>{1, 2, 3, 4, 5, 6.5}));
    EXPECT_EQ(b.tensor("b", "t").values[0], -0.25);
    EXPECT_THROW(b.tensor("c", "t"), ada::SpecError);
}

TEST(Bundle, BadFilesNameTheProblem) {
    EXPECT_NE(errorReading(tmpPath("absent.adab")).find("cannot open bundle file"), std::string::npos);
    example().write(tmpPath("good.adab"));
    const std::string bytes = readAll(tmpPath("good.adab"));
    {
        std::ofstream(tmpPath("truncated.adab"), std::ios::binary) << bytes.substr(0, bytes.size() - 5);
    }
    EXPECT_NE(errorReading(tmpPath("truncated.adab")).find("truncated bundle"), std::string::npos);
    {
        std::ofstream(tmpPath("foreign.adab"), std::ios::binary) << "PK\x03\x04 not a bundle";
    }
    EXPECT_NE(errorReading(tmpPath("foreign.adab")).find("bad magic"), std::string::npos);
    std::string newer = bytes;
    newer[8] = 7;  // the format version field
    {
        std::ofstream(tmpPath("newer.adab"), std::ios::binary) << newer;
    }
    EXPECT_NE(errorReading(tmpPath("newer.adab")).find("bundle format version 7 is not supported"), std::string::npos);
}

TEST(Bundle, FailedWriteKeepsExistingFile) {
    example().write(tmpPath("kept.adab"));
    ada::Bundle bad = example();
    bad.tensors["a"].shape = {5, 5};  // inconsistent with its values
    EXPECT_THROW(bad.write(tmpPath("kept.adab")), ada::SpecError);
    EXPECT_EQ(ada::Bundle::read(tmpPath("kept.adab")).tensor("a", "t").values.size(), 6u);
}
