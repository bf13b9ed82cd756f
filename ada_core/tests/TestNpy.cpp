// NPY files: round trips, files byte-for-byte as numpy writes them (versions 1.0, 2.0, 3.0, both byte orders,
// integers), growing files that stay valid after every frame, and clear errors for bad files; a failed write
// leaves an existing file intact.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "ada/io/Npy.h"
#include "ada/io/NpyFrameWriter.h"
#include "ada/io/SpecError.h"

namespace {

std::string tmpPath(const std::string& name) { return std::string(ADA_TEST_TMPDIR) + "/npy_" + name; }

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// A header as numpy writes it: magic, version, little-endian length, dict, spaces, '\n' to a multiple of 64.
std::string numpyHeader(int major, const std::string& dict, size_t total = 128) {
    std::string h = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
    const size_t prefix = major == 1 ? 10 : 12;
    const size_t length = total - prefix;
    h += static_cast<char>(length & 0xff);
    h += static_cast<char>(length >> 8);
    if (major > 1)
        h += std::string(2, '\0');
    h += dict;
    h += std::string(total - h.size() - 1, ' ');
    return h + '\n';
}

template <typename T>
std::string bytesOf(std::initializer_list<T> values, bool bigEndian = false) {
    std::string out;
    for (T v : values) {
        char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        if (bigEndian)
            std::reverse(b, b + sizeof(T));
        out.append(b, sizeof(T));
    }
    return out;
}

std::string errorReading(const std::string& path) {
    try {
        ada::readNpy(path);
    } catch (const ada::SpecError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(Npy, RoundTripFloat64AndFloat32) {
    ada::NpyArray a;
    a.shape = {2, 3, 3};
    for (int i = 0; i < 18; ++i)
        a.values.push_back(0.1 * i - 0.7);
    a.dtype = "<f8";
    ada::writeNpy(tmpPath("f8.npy"), a);
    ada::NpyArray b = ada::readNpy(tmpPath("f8.npy"));
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.values, a.values);
    EXPECT_EQ(b.dtype, "<f8");

    a.dtype = "<f4";
    ada::writeNpy(tmpPath("f4.npy"), a);
    b = ada::readNpy(tmpPath("f4.npy"));
    EXPECT_EQ(b.dtype, "<f4");
    for (size_t i = 0; i < a.values.size(); ++i)
        EXPECT_EQ(b.values[i], static_cast<double>(static_cast<float>(a.values[i])));
    // The data start at a multiple of 64 bytes, as numpy requires of writers.
    EXPECT_EQ((readAll(tmpPath("f4.npy")).size() - 18 * 4) % 64, 0u);
}

TEST(Npy, RoundTripOddShapes) {
    for (const std::vector<int64_t>& shape : {std::vector<int64_t>{}, {5}, {0, 3}, {1, 1, 1, 1}}) {
        ada::NpyArray a;
        a.shape = shape;
        a.values.resize(static_cast<size_t>(a.numel()), 2.5);
        ada::writeNpy(tmpPath("odd.npy"), a);
        ada::NpyArray b = ada::readNpy(tmpPath("odd.npy"));
        EXPECT_EQ(b.shape, shape);
        EXPECT_EQ(b.values, a.values);
    }
    EXPECT_NE(readAll(tmpPath("odd.npy")).find("'shape': (1, 1, 1, 1)"), std::string::npos);
    ada::NpyArray one;
    one.shape = {5};
    one.values.resize(5);
    ada::writeNpy(tmpPath("odd.npy"), one);
    EXPECT_NE(readAll(tmpPath("odd.npy")).find("'shape': (5,)"), std::string::npos);  // a Python 1-tuple
}

TEST(Npy, ReadsFilesAsNumpyWritesThem) {
    // numpy.save(np.array([[1.5, -2, 3], [4, 5, 6.25]])) with numpy 2.x, byte for byte.
    const std::string header = numpyHeader(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
    ASSERT_EQ(header.substr(0, 10), std::string("\x93NUMPY\x01\x00v\x00", 10));
    writeAll(tmpPath("numpy_v1.npy"), header + bytesOf<double>({1.5, -2, 3, 4, 5, 6.25}));
    ada::NpyArray a = ada::readNpy(tmpPath("numpy_v1.npy"));
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.values, (std::vector<double>{1.5, -2, 3, 4, 5, 6.25}));

    // np.lib.format.write_array(f, np.arange(3, dtype='>i4'), version=(2, 0)): big-endian integers.
    writeAll(tmpPath("numpy_v2.npy"), numpyHeader(2, "{'descr': '>i4', 'fortran_order': False, 'shape': (3,), }") +
                                          bytesOf<int32_t>({0, 1, -2}, true));
    a = ada::readNpy(tmpPath("numpy_v2.npy"));
    EXPECT_EQ(a.dtype, ">i4");
    EXPECT_EQ(a.values, (std::vector<double>{0, 1, -2}));

    // Version 3.0 (UTF-8 header), float32; older numpy's 16-byte alignment and Python 2 long integers.
    writeAll(tmpPath("numpy_v3.npy"), numpyHeader(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }") +
                                          bytesOf<float>({0.0f, 1.0f, 2.5f}));
    EXPECT_EQ(ada::readNpy(tmpPath("numpy_v3.npy")).values, (std::vector<double>{0, 1, 2.5}));
    writeAll(tmpPath("numpy_py2.npy"), numpyHeader(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2L,), }", 80) +
                                           bytesOf<int64_t>({-7, 1LL << 40}));
    EXPECT_EQ(ada::readNpy(tmpPath("numpy_py2.npy")).values, (std::vector<double>{-7, 1099511627776.0}));
    writeAll(tmpPath("numpy_u1.npy"), numpyHeader(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }") + "\x05\xff");
    EXPECT_EQ(ada::readNpy(tmpPath("numpy_u1.npy")).values, (std::vector<double>{5, 255}));
}

TEST(Npy, BadFilesNameTheFileAndTheProblem) {
    auto expectError = [](const std::string& name, const std::string& bytes, const std::string& expected) {
        writeAll(tmpPath(name), bytes);
        const std::string message = errorReading(tmpPath(name));
        EXPECT_NE(message.find(tmpPath(name)), std::string::npos) << message;
        EXPECT_NE(message.find(expected), std::string::npos) << name << ": " << message;
    };
    EXPECT_NE(errorReading(tmpPath("absent.npy")).find("cannot open NPY file (missing or unreadable)"), std::string::npos);
    const std::string good = numpyHeader(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }") +
                             bytesOf<double>({1, 2, 3, 4, 5, 6});
    expectError("truncated.npy", good.substr(0, good.size() - 3), "truncated NPY file (shape [2, 3] of <f8 needs 48 bytes of data, the file holds 45)");
    expectError("truncated_header.npy", good.substr(0, 40), "truncated NPY file");
    expectError("magic.npy", "PK\x03\x04 a zip archive, say", "not an NPY file (bad magic bytes");
    expectError("version.npy", std::string("\x93NUMPY\x04\x00", 8) + good.substr(8), "NPY format version 4.0 is not supported");
    expectError("dtype.npy", numpyHeader(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }") + std::string(16, '\0'),
                "unsupported dtype '<c16'");
    expectError("unicode.npy", numpyHeader(1, "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }") + std::string(12, '\0'),
                "unsupported dtype '<U3'");
    expectError("structured.npy", numpyHeader(1, "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }") + std::string(8, '\0'),
                "structured dtype");
    expectError("fortran.npy", numpyHeader(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }") + std::string(48, '\0'),
                "Fortran-order arrays are not supported");
    expectError("garbage.npy", numpyHeader(1, "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 3), }") + std::string(48, '\0'),
                "corrupt NPY header (expected True or False");
    expectError("nokey.npy", numpyHeader(1, "{'descr': '<f8', 'fortran_order': False, }"), "corrupt NPY header (the header dict lacks 'shape')");
    expectError("badshape.npy", numpyHeader(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3), }"), "corrupt NPY header");
    expectError("huge.npy", numpyHeader(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"),
                "corrupt NPY header (shape [4294967296, 4294967296] is too large)");
}

TEST(Npy, FailedWriteKeepsExistingFile) {
    ada::NpyArray a;
    a.shape = {2};
    a.values = {1, 2};
    ada::writeNpy(tmpPath("kept.npy"), a);
    const std::string before = readAll(tmpPath("kept.npy"));
    ada::NpyArray bad = a;
    bad.shape = {3};
    EXPECT_THROW(ada::writeNpy(tmpPath("kept.npy"), bad), ada::SpecError);
    bad = a;
    bad.dtype = "<i4";
    EXPECT_THROW(ada::writeNpy(tmpPath("kept.npy"), bad), ada::SpecError);
    EXPECT_EQ(readAll(tmpPath("kept.npy")), before);
    try {
        ada::writeNpy(std::string(ADA_TEST_TMPDIR) + "/no/such/dir/x.npy", a);
        FAIL() << "no error";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("no/such/dir/x.npy: cannot create the file"), std::string::npos) << e.what();
    }
}

TEST(NpyFrameWriter, FileIsValidAfterEveryFrame) {
    const std::string path = tmpPath("frames.npy");
    ada::NpyFrameWriter writer(path, {2, 3}, ada::NpyFrameWriter::Mode::Overwrite);
    EXPECT_EQ(ada::readNpy(path).shape, (std::vector<int64_t>{0, 2, 3}));
    const size_t headerSize = readAll(path).size();
    for (int f = 0; f < 12; ++f) {
        const double frame[6] = {f + 0.0, f + 0.5, -1.0 * f, 1e3, 2e-3, 0.1};
        writer.append(frame);
        ada::NpyArray a = ada::readNpy(path);
        ASSERT_EQ(a.shape, (std::vector<int64_t>{f + 1, 2, 3}));
        EXPECT_EQ(a.dtype, "<f4");
        EXPECT_EQ(a.values[6 * f + 1], f + 0.5);
        EXPECT_EQ(a.values[6 * f + 5], static_cast<double>(0.1f));
    }
    EXPECT_EQ(readAll(path).size(), headerSize + 12 * 6 * 4);  // the header never moved the data
    EXPECT_EQ(writer.numFrames(), 12);
}

TEST(NpyFrameWriter, AppendContinuesAndOverwriteReplaces) {
    const std::string path = tmpPath("append.npy");
    const double frame[3] = {1, 2, 3};
    {
        ada::NpyFrameWriter w(path, {1, 3}, ada::NpyFrameWriter::Mode::Append);  // absent: starts a file
        w.append(frame);
        w.append(frame);
    }
    {
        ada::NpyFrameWriter w(path, {1, 3}, ada::NpyFrameWriter::Mode::Append);
        EXPECT_EQ(w.numFrames(), 2);
        w.append(frame);
    }
    EXPECT_EQ(ada::readNpy(path).shape, (std::vector<int64_t>{3, 1, 3}));
    // An interrupted append leaves bytes the header does not count; the next append cuts them off.
    writeAll(path, readAll(path) + "junk!");
    EXPECT_EQ(ada::readNpy(path).shape[0], 3);
    {
        ada::NpyFrameWriter w(path, {1, 3}, ada::NpyFrameWriter::Mode::Append);
        w.append(frame);
    }
    ada::NpyArray a = ada::readNpy(path);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{4, 1, 3}));
    EXPECT_EQ(readAll(path).size() % 4, 0u);
    EXPECT_EQ(a.values.back(), 3.0);
    {
        ada::NpyFrameWriter w(path, {1, 3}, ada::NpyFrameWriter::Mode::Overwrite);
        EXPECT_EQ(w.numFrames(), 0);
    }
    EXPECT_EQ(ada::readNpy(path).shape, (std::vector<int64_t>{0, 1, 3}));
}

TEST(NpyFrameWriter, AppendsToAFileWithoutRoomInItsHeader) {
    // A 64-byte header (as numpy < 1.24 or another writer might produce) cannot hold a 20-digit frame count:
    // the array is copied once into a file whose header can.
    const std::string path = tmpPath("tight.npy");
    const std::string header = numpyHeader(1, "{'descr':'<f4','fortran_order':False,'shape':(1,2,3)}", 64);
    writeAll(path, header + bytesOf<float>({1, 2, 3, 4, 5, 6}));
    ASSERT_EQ(ada::readNpy(path).shape, (std::vector<int64_t>{1, 2, 3}));
    {
        ada::NpyFrameWriter w(path, {2, 3}, ada::NpyFrameWriter::Mode::Append);
        const double frame[6] = {7, 8, 9, 10, 11, 12};
        w.append(frame);
    }
    ada::NpyArray a = ada::readNpy(path);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2, 3}));
    EXPECT_EQ(a.values, (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
}

TEST(NpyFrameWriter, RefusesMismatchedOrUnwritableFilesAndChangesNothing) {
    const std::string path = tmpPath("other.npy");
    ada::NpyArray a;
    a.shape = {2, 4, 3};
    a.values.resize(24, 1.0);
    a.dtype = "<f4";
    ada::writeNpy(path, a);
    const std::string before = readAll(path);
    try {
        ada::NpyFrameWriter w(path, {5, 3}, ada::NpyFrameWriter::Mode::Append);
        FAIL() << "no error";
    } catch (const ada::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot append frames of shape [5, 3] (<f4) to the array of shape [2, 4, 3] (<f4)"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(ada::NpyFrameWriter(path, {4, 3}, ada::NpyFrameWriter::Mode::Append, "<f8"), ada::SpecError);
    writeAll(tmpPath("cut.npy"), before.substr(0, before.size() - 10));
    EXPECT_THROW(ada::NpyFrameWriter(tmpPath("cut.npy"), {4, 3}, ada::NpyFrameWriter::Mode::Append), ada::SpecError);
    EXPECT_EQ(readAll(path), before);
    EXPECT_THROW(ada::NpyFrameWriter(std::string(ADA_TEST_TMPDIR) + "/no/such/dir/f.npy", {4, 3}, ada::NpyFrameWriter::Mode::Overwrite),
                 ada::SpecError);
}
