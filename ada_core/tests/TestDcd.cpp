// DCD trajectories: round trips, files built field by field here as OpenMM's DCDFile writes them (both byte
// orders, with and without unit cells, CHARMM angles in degrees), and clear errors for truncated, foreign and
// unsupported files; a failed write leaves an existing file intact. (python/tests/test_data.py reads files
// that OpenMM and mdtraj themselves write.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "ada/io/Dcd.h"
#include "ada/io/SpecError.h"

namespace {

std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/dcd_" + name; }

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// An independent writer: the layout of openmm/app/dcdfile.py, in either byte order.
class DcdBytes {
public:
    explicit DcdBytes(bool bigEndian) : big_(bigEndian) {}
    template <typename T>
    DcdBytes& put(T v) {
        char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        if (big_)
            std::reverse(b, b + sizeof(T));
        bytes.append(b, sizeof(T));
        return *this;
    }
    void header(int frames, int atoms, bool cell, float dtAkma, int namnf = 0) {
        put<int32_t>(84);
        bytes += "CORD";
        const int32_t first[9] = {frames, 1000, 10, 1000 + 10 * (frames - 1), 0, 0, 0, 0, namnf};
        for (int32_t v : first)
            put(v);
        put(dtAkma);
        put<int32_t>(cell ? 1 : 0);
        for (int k = 0; k < 8; ++k)
            put<int32_t>(0);
        put<int32_t>(24).put<int32_t>(84);
        put<int32_t>(164).put<int32_t>(2);
        std::string line1 = "Created by OpenMM", line2 = "Created Mon Jan  1 00:00:00 2024";
        bytes += line1 + std::string(80 - line1.size(), '\0') + line2 + std::string(80 - line2.size(), '\0');
        put<int32_t>(164).put<int32_t>(4).put<int32_t>(atoms).put<int32_t>(4);
    }
    void cell(double a, double b, double c, double cosAlpha, double cosBeta, double cosGamma) {
        put<int32_t>(48).put(a).put(cosGamma).put(b).put(cosBeta).put(cosAlpha).put(c).put<int32_t>(48);
    }
    void coordinates(const std::vector<float>& angstrom) {  // [atoms][3]
        const int32_t n = static_cast<int32_t>(angstrom.size() / 3);
        for (int axis = 0; axis < 3; ++axis) {
            put<int32_t>(4 * n);
            for (int32_t i = 0; i < n; ++i)
                put(angstrom[3 * i + axis]);
            put<int32_t>(4 * n);
        }
    }
    std::string bytes;

private:
    bool big_;
};

std::string errorReading(const std::string& path) {
    try {
        ada::readDcd(path);
    } catch (const ada::SpecError& e) {
        return e.what();
    }
    return "no error";
}

ada::DcdTrajectory example(bool withCells) {
    ada::DcdTrajectory t;
    t.numAtoms = 4;
    for (int f = 0; f < 3; ++f)
        for (int i = 0; i < 12; ++i)
            t.positions.push_back(0.1 * f - 0.37 * i + 1.25);
    if (withCells)
        for (int f = 0; f < 3; ++f)
            t.cells.push_back({2.5 + 0.1 * f, 3.0, 3.5, 90.0, 80.0 + f, 60.0});
    t.firstStep = 500;
    t.interval = 25;
    t.timestep = 0.002;
    t.title = "alanine\nsecond line";
    return t;
}

}  // namespace

TEST(Dcd, RoundTrip) {
    for (bool withCells : {false, true}) {
        const ada::DcdTrajectory t = example(withCells);
        ada::writeDcd(tmpPath("roundtrip.dcd"), t);
        const ada::DcdTrajectory r = ada::readDcd(tmpPath("roundtrip.dcd"));
        EXPECT_EQ(r.numAtoms, 4);
        EXPECT_EQ(r.numFrames(), 3);
        ASSERT_EQ(r.positions.size(), t.positions.size());
        for (size_t k = 0; k < t.positions.size(); ++k)
            EXPECT_NEAR(r.positions[k], t.positions[k], 1e-7 * std::max(1.0, std::abs(t.positions[k])));  // float32 Å
        ASSERT_EQ(r.cells.size(), t.cells.size());
        for (size_t f = 0; f < t.cells.size(); ++f) {
            EXPECT_NEAR(r.cells[f].a, t.cells[f].a, 1e-12);
            EXPECT_NEAR(r.cells[f].beta, t.cells[f].beta, 1e-9);
            EXPECT_NEAR(r.cells[f].gamma, 60.0, 1e-9);
        }
        EXPECT_EQ(r.firstStep, 500);
        EXPECT_EQ(r.interval, 25);
        EXPECT_NEAR(r.timestep, 0.002, 1e-9);
        EXPECT_EQ(r.title, "alanine\nsecond line");
    }
    // The header is OpenMM's: NSET at byte 8, the last step at byte 20, CHARMM version 24 at byte 84.
    const std::string bytes = readAll(tmpPath("roundtrip.dcd"));
    int32_t nset, last, version;
    std::memcpy(&nset, bytes.data() + 8, 4);
    std::memcpy(&last, bytes.data() + 20, 4);
    std::memcpy(&version, bytes.data() + 84, 4);
    EXPECT_EQ(nset, 3);
    EXPECT_EQ(last, 550);
    EXPECT_EQ(version, 24);
}

TEST(Dcd, ReadsFilesLaidOutAsOpenMMWritesThemInEitherByteOrder) {
    for (bool big : {false, true}) {
        DcdBytes d(big);
        d.header(2, 2, true, static_cast<float>(0.004 / 0.04888821));
        d.cell(20.0, 21.0, 22.0, 0.0, 0.0, 0.5);
        d.coordinates({1, 2, 3, -4, -5, -6});
        d.cell(20.5, 21.0, 22.0, 0.0, 0.0, 0.5);
        d.coordinates({10, 20, 30, 40, 50, 60});
        writeAll(tmpPath("openmm_layout.dcd"), d.bytes);
        const ada::DcdTrajectory t = ada::readDcd(tmpPath("openmm_layout.dcd"));
        EXPECT_EQ(t.numAtoms, 2);
        ASSERT_EQ(t.numFrames(), 2);
        EXPECT_EQ(t.positions, (std::vector<double>{0.1, 0.2, 0.3, -0.4, -0.5, -0.6, 1, 2, 3, 4, 5, 6})) << "big-endian: " << big;
        ASSERT_EQ(t.cells.size(), 2u);
        EXPECT_DOUBLE_EQ(t.cells[1].a, 2.05);
        EXPECT_DOUBLE_EQ(t.cells[0].c, 2.2);
        EXPECT_NEAR(t.cells[0].gamma, 60.0, 1e-12);
        EXPECT_NEAR(t.cells[0].alpha, 90.0, 1e-12);
        EXPECT_EQ(t.firstStep, 1000);
        EXPECT_EQ(t.interval, 10);
        EXPECT_NEAR(t.timestep, 0.004, 1e-9);
        EXPECT_EQ(t.title, "Created by OpenMM\nCreated Mon Jan  1 00:00:00 2024");
    }
    // Older CHARMM stores the cell angles in degrees; a header of 0 frames is read by the file's size.
    DcdBytes d(false);
    d.header(0, 1, true, 1.0f);
    d.cell(30.0, 30.0, 30.0, 90.0, 90.0, 120.0);
    d.coordinates({1, 1, 1});
    writeAll(tmpPath("degrees.dcd"), d.bytes);
    const ada::DcdTrajectory t = ada::readDcd(tmpPath("degrees.dcd"));
    EXPECT_EQ(t.numFrames(), 1);
    EXPECT_DOUBLE_EQ(t.cells[0].gamma, 120.0);
    EXPECT_DOUBLE_EQ(t.cells[0].alpha, 90.0);
}

TEST(Dcd, WritesTheBytesOpenMMWrites) {
    ada::DcdTrajectory t;
    t.numAtoms = 2;
    t.positions = {0.1, 0.2, 0.3, -0.4, -0.5, -0.6, 1, 2, 3, 4, 5, 6};
    t.cells = {{2.0, 2.1, 2.2, 90.0, 90.0, 60.0}, {2.05, 2.1, 2.2, 90.0, 90.0, 60.0}};
    t.firstStep = 1000;
    t.interval = 10;
    t.timestep = 0.004;
    t.title = "Created by OpenMM\nCreated Mon Jan  1 00:00:00 2024";
    ada::writeDcd(tmpPath("like_openmm.dcd"), t);
    DcdBytes d(false);
    d.header(2, 2, true, static_cast<float>(0.004 / 0.04888821));
    d.cell(20.0, 21.0, 22.0, 0.0, 0.0, std::sin(M_PI / 2 - M_PI / 3));
    d.coordinates({1, 2, 3, -4, -5, -6});
    d.cell(20.5, 21.0, 22.0, 0.0, 0.0, std::sin(M_PI / 2 - M_PI / 3));
    d.coordinates({10, 20, 30, 40, 50, 60});
    EXPECT_EQ(readAll(tmpPath("like_openmm.dcd")), d.bytes);
}

TEST(Dcd, BadFilesNameTheFileAndTheProblem) {
    auto expectError = [](const std::string& name, const std::string& bytes, const std::string& expected) {
        writeAll(tmpPath(name), bytes);
        const std::string message = errorReading(tmpPath(name));
        EXPECT_NE(message.find(tmpPath(name) + ": " + expected), std::string::npos) << name << ": " << message;
    };
    EXPECT_NE(errorReading(tmpPath("absent.dcd")).find("cannot open DCD file (missing or unreadable)"), std::string::npos);
    DcdBytes d(false);
    d.header(2, 3, false, 1.0f);
    d.coordinates({1, 2, 3, 4, 5, 6, 7, 8, 9});
    const std::string oneFrame = d.bytes;
    d.coordinates({1, 2, 3, 4, 5, 6, 7, 8, 9});
    const std::string good = d.bytes;
    ASSERT_EQ(ada::readDcd((writeAll(tmpPath("good.dcd"), good), tmpPath("good.dcd"))).numFrames(), 2);
    expectError("cut.dcd", good.substr(0, good.size() - 7), "truncated DCD file (after 1 complete frames, the last frame has 53 of its 60 bytes)");
    expectError("short.dcd", oneFrame, "truncated DCD file (the header declares 2 frames, the file holds 1)");
    expectError("header_cut.dcd", good.substr(0, 150), "truncated DCD file (inside the title)");
    expectError("pdb.dcd", "ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N\n",
                "not a DCD file (the first record marker is not 84 in either byte order)");
    std::string velocities = good;
    std::memcpy(&velocities[4], "VELD", 4);
    expectError("veld.dcd", velocities, "not a DCD coordinate file (the header starts with 'VELD', expected 'CORD')");
    std::string marker64 = std::string("\x54\0\0\0\0\0\0\0", 8) + good.substr(4);
    expectError("marker64.dcd", marker64, "DCD files with 64-bit record markers are not supported");
    std::string corrupt = good;
    const size_t firstX = good.size() - 2 * 3 * (8 + 12);
    corrupt[firstX] = 13;  // the X record of frame 0 claims 13 bytes
    expectError("marker.dcd", corrupt, "corrupt DCD file (frame 0 X coordinates: record length 13, expected 12)");
    DcdBytes fixed(false);
    fixed.header(1, 3, false, 1.0f, 2);
    fixed.coordinates({1, 2, 3, 4, 5, 6, 7, 8, 9});
    expectError("fixed.dcd", fixed.bytes, "DCD files with fixed atoms (NAMNF = 2) are not supported");
}

TEST(Dcd, FailedWriteKeepsExistingFile) {
    ada::writeDcd(tmpPath("kept.dcd"), example(true));
    const std::string before = readAll(tmpPath("kept.dcd"));
    ada::DcdTrajectory bad = example(true);
    bad.cells.pop_back();  // 2 cells for 3 frames
    EXPECT_THROW(ada::writeDcd(tmpPath("kept.dcd"), bad), ada::SpecError);
    bad = example(false);
    bad.positions.pop_back();
    EXPECT_THROW(ada::writeDcd(tmpPath("kept.dcd"), bad), ada::SpecError);
    EXPECT_EQ(readAll(tmpPath("kept.dcd")), before);
    EXPECT_THROW(ada::writeDcd(std::string(ADA_TEST_TMPDIR) + "/no/such/dir/t.dcd", example(false)), ada::SpecError);
}
