// Packaging (README: Install from a package): cpack makes the .deb and the .rpm from the build tree this suite lives in;
// their file lists, metadata, maintainer scripts, conffiles and lintian verdict are checked; the
// .deb is unpacked into a throwaway root whose host binary checks the packaged configuration and
// serves a plugin built out of tree against the packaged SDK only (examples/hello-plugin).
//
// Tools: cpack, dpkg-deb, dpkg-shlibdeps (dpkg-dev), rpm (rpmbuild), lintian, rpmlint, man (man-db),
// readelf, systemd-analyze, gzip, nm; scripts/lib/common.sh installs the missing ones.
#include <cppunit/extensions/HelperMacros.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "config/EnvConfig.h"
#include "support/TestSupport.h"

using namespace zt::test;
namespace fs = std::filesystem;

namespace {

const std::string kVersion = ZT_VERSION;
const std::string kDebName = "zintrust-host_" + kVersion + "_amd64.deb";
const std::string kRpmName = "zintrust-host-" + kVersion + "-1.x86_64.rpm";
const std::vector<std::string> kServices = {"users", "orders", "payments"};

/// Absolute path of a program on PATH (runCommand execs without a PATH search).
std::string tool(const std::string& name) {
    std::istringstream path(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(path, dir, ':')) {
        fs::path candidate = fs::path(dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    throw std::runtime_error(name + " not found on PATH (scripts/package installs the packaging tools)");
}

std::map<std::string, std::string> toolEnv() {
    std::map<std::string, std::string> env = {{"LANG", "C.UTF-8"}, {"LC_ALL", "C.UTF-8"}};
    for (const char* name : {"PATH", "HOME"}) {
        if (const char* v = getenv(name)) env[name] = v;
    }
    return env;
}

struct Run {
    int status = -1;
    std::string output;
};

Run run(const std::vector<std::string>& argv, int timeoutMs = 120000,
        const std::map<std::string, std::string>& env = toolEnv()) {
    std::vector<std::string> resolved = argv;
    if (resolved[0].find('/') == std::string::npos) resolved[0] = tool(resolved[0]);
    Run r;
    r.status = runCommand(resolved, env, r.output, timeoutMs);
    return r;
}

Run runOk(const std::vector<std::string>& argv, int timeoutMs = 120000) {
    Run r = run(argv, timeoutMs);
    if (r.status != 0) {
        std::string cmd;
        for (const auto& a : argv) cmd += a + " ";
        throw std::runtime_error(cmd + "exited " + std::to_string(r.status) + ":\n" + r.output);
    }
    return r;
}

std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += "  " + i + "\n";
    return out;
}

/// Every regular file both packages must hold, and nothing else.
std::set<std::string> expectedFiles() {
    std::set<std::string> files = {
        "/usr/bin/zintrust-host",
        "/etc/zintrust/zintrust.env",
        "/usr/lib/systemd/system/zintrust-host.service",
        "/usr/include/zintrust/plugin.h",
        "/usr/include/zintrust/sdk.hpp",
        "/usr/include/zintrust/sdk/db.hpp",
        "/usr/include/zintrust/sdk/detail/abi_strings.hpp",
        "/usr/include/zintrust/sdk/detail/handlers.hpp",
        "/usr/include/zintrust/sdk/detail/json_escape.hpp",
        "/usr/include/zintrust/sdk/errors.hpp",
        "/usr/include/zintrust/sdk/host.hpp",
        "/usr/include/zintrust/sdk/request.hpp",
        "/usr/include/zintrust/sdk/response.hpp",
        "/usr/include/zintrust/sdk/service.hpp",
        "/usr/include/zintrust/sdk/services.hpp",
        "/usr/include/zintrust/testing.h",
        "/usr/include/zintrust/testing.hpp",
        "/usr/lib/zintrust/libzintrust-testing.so",
        "/usr/share/cmake/ZintrustPlugin/ZintrustPluginConfig.cmake",
        "/usr/share/cmake/ZintrustPlugin/ZintrustPluginConfigVersion.cmake",
        "/usr/share/cmake/ZintrustPlugin/ZintrustPluginTargets.cmake",
        "/usr/share/cmake/ZintrustPlugin/ZintrustPluginHelpers.cmake",
        "/usr/share/cmake/ZintrustPlugin/zintrust-plugin.map",
        "/usr/share/doc/zintrust-host/copyright",
        "/usr/share/doc/zintrust-host/changelog.gz",
        "/usr/share/man/man1/zintrust-host.1.gz",
        "/usr/share/doc/zintrust-host/README.md",
        "/usr/share/doc/zintrust-host/examples/zintrust.env",
        "/usr/share/lintian/overrides/zintrust-host",
    };
    // The imported library's location, one file per build configuration (Zintrust::Testing).
    files.insert(std::string("/usr/share/cmake/ZintrustPlugin/ZintrustPluginTargets-") + ZT_TEST_BUILD_CONFIG +
                 ".cmake");
    // The docs README links to, and the example plugin, as in the source tree.
    for (const auto& entry : fs::directory_iterator(fs::path(ZT_TEST_SOURCE_DIR) / "docs")) {
        if (entry.path().extension() == ".md") {
            files.insert("/usr/share/doc/zintrust-host/docs/" + entry.path().filename().string());
        }
    }
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(ZT_TEST_SOURCE_DIR) / "examples/hello-plugin")) {
        if (entry.is_regular_file()) {
            files.insert("/usr/share/doc/zintrust-host/examples/hello-plugin/" +
                         fs::relative(entry.path(), fs::path(ZT_TEST_SOURCE_DIR) / "examples/hello-plugin").string());
        }
    }
    for (const auto& svc : kServices) {
        files.insert("/usr/lib/zintrust/plugins/libzt_" + svc + ".so");
        files.insert("/etc/zintrust/services/ecommerce/" + svc + "/service.config.json");
        fs::path migrations = fs::path(ZT_TEST_SOURCE_DIR) / "services/ecommerce" / svc / "migrations";
        if (!fs::is_directory(migrations)) continue;
        for (const auto& entry : fs::directory_iterator(migrations)) {
            if (entry.path().extension() == ".sql") {
                files.insert("/etc/zintrust/services/ecommerce/" + svc + "/migrations/" +
                             entry.path().filename().string());
            }
        }
    }
    return files;
}

/// `dpkg-deb -c` / `rpm -qp --qf [%{FILEMODES:perms} ...]`: path -> permission string, files only.
std::map<std::string, std::string> debFiles(const std::string& deb) {
    std::map<std::string, std::string> files;
    for (const auto& line : splitLines(runOk({"dpkg-deb", "-c", deb}).output)) {
        std::string perms = line.substr(0, line.find(' '));
        std::string path = line.substr(line.rfind(' ') + 1);
        if (perms[0] == '-' && path.rfind("./", 0) == 0) files[path.substr(1)] = perms;
    }
    return files;
}

std::map<std::string, std::string> rpmFiles(const std::string& rpm) {
    std::map<std::string, std::string> files;
    for (const auto& line :
         splitLines(runOk({"rpm", "-qp", "--qf", "[%{FILEMODES:perms} %{FILENAMES}\\n]", rpm}).output)) {
        std::string perms = line.substr(0, line.find(' '));
        if (perms[0] == '-') files[line.substr(line.rfind(' ') + 1)] = perms;
    }
    return files;
}

std::set<std::string> keys(const std::map<std::string, std::string>& m) {
    std::set<std::string> out;
    for (const auto& [k, v] : m) out.insert(k);
    return out;
}

std::string readCacheValue(const std::string& buildDir, const std::string& name) {
    std::ifstream in(buildDir + "/CMakeCache.txt");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(name + ":", 0) == 0) return line.substr(line.find('=') + 1);
    }
    return "";
}

/// Both packages, made once per run. cpack runs in the build tree this suite was built in when
/// that tree is configured for /usr (scripts/package configures it so); otherwise a fresh /usr
/// tree of the same sources is built first, because cpack refuses to package a binary compiled
/// for another prefix (packaging/CPackProjectConfig.cmake).
class Packages {
public:
    static Packages& get() {
        static Packages instance;
        if (!instance.error_.empty()) throw std::runtime_error(instance.error_);
        return instance;
    }

    std::string deb() const { return out_.path() + "/" + kDebName; }
    std::string rpm() const { return out_.path() + "/" + kRpmName; }
    const std::string& buildDir() const { return buildDir_; }

private:
    Packages() {
        try {
            buildDir_ = fs::path(ZT_TEST_HOST_BINARY).parent_path().parent_path().string();
            if (readCacheValue(buildDir_, "CMAKE_INSTALL_PREFIX") != "/usr") {
                fresh_ = std::make_unique<TempDir>();
                buildDir_ = fresh_->path();
                runOk({"cmake", "-S", ZT_TEST_SOURCE_DIR, "-B", buildDir_, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                       "-DCMAKE_INSTALL_PREFIX=/usr", "-DZT_BUILD_TESTS=OFF"},
                      120000);
                runOk({"cmake", "--build", buildDir_, "-j2"}, 480000);
            }
            runOk({"cpack", "--config", buildDir_ + "/CPackConfig.cmake", "-G", "DEB;RPM", "-B", out_.path()}, 300000);
        } catch (const std::exception& e) {
            error_ = std::string("building the packages failed: ") + e.what();
        }
    }

    TempDir out_;
    std::unique_ptr<TempDir> fresh_;
    std::string buildDir_;
    std::string error_;
};

/// The .deb unpacked (dpkg-deb -x) into a folder of its own.
struct ExtractedRoot {
    TempDir dir;
    ExtractedRoot() { runOk({"dpkg-deb", "-x", Packages::get().deb(), dir.path()}); }
    std::string operator()(const std::string& path) const { return dir.path() + path; }
};

/// Pid of the process whose executable is `exe` (a path inside this test's temp root), or -1.
pid_t findProcessByExe(const std::string& exe) {
    std::string want = fs::canonical(exe).string();
    for (const auto& entry : fs::directory_iterator("/proc")) {
        std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code ec;
        fs::path target = fs::read_symlink(entry.path() / "exe", ec);
        if (!ec && target.string() == want) return static_cast<pid_t>(std::stoi(name));
    }
    return -1;
}

}  // namespace

class PackageTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PackageTest);
    CPPUNIT_TEST(deb_holds_exactly_host_plugins_configs_unit_and_sdk);
    CPPUNIT_TEST(rpm_holds_the_same_files_with_the_same_modes);
    CPPUNIT_TEST(no_test_plugin_is_packaged);
    CPPUNIT_TEST(deb_control_names_package_version_arch_and_library_depends);
    CPPUNIT_TEST(deb_marks_every_etc_file_as_conffile_and_creates_system_user);
    CPPUNIT_TEST(rpm_header_requires_libraries_and_marks_etc_noreplace);
    CPPUNIT_TEST(lintian_reports_no_errors_and_no_warnings);
    CPPUNIT_TEST(rpmlint_reports_no_errors);
    CPPUNIT_TEST(rpm_installs_into_a_scratch_root_running_its_scriptlets_then_erases);
    CPPUNIT_TEST(packaged_binaries_are_hardened);
    CPPUNIT_TEST(installed_docs_cover_commands_ports_endpoints_files_and_sdk);
    CPPUNIT_TEST(cpack_refuses_a_binary_compiled_for_another_prefix);
    CPPUNIT_TEST(systemd_unit_verifies_and_runs_hardened_as_zintrust);
    CPPUNIT_TEST(env_file_documents_every_variable_commented_without_secrets);
    CPPUNIT_TEST(extracted_host_checks_packaged_services_with_packaged_env_file);
    CPPUNIT_TEST(packaged_sdk_builds_hello_plugin_out_of_tree_and_extracted_host_serves_it);
    CPPUNIT_TEST_SUITE_END();

public:
    void deb_holds_exactly_host_plugins_configs_unit_and_sdk() {
        auto files = keys(debFiles(Packages::get().deb()));
        std::set<std::string> expected = expectedFiles();
        CPPUNIT_ASSERT_MESSAGE("deb files:\n" + join(files) + "expected:\n" + join(expected), files == expected);
    }

    void rpm_holds_the_same_files_with_the_same_modes() {
        auto deb = debFiles(Packages::get().deb());
        auto rpm = rpmFiles(Packages::get().rpm());
        CPPUNIT_ASSERT_MESSAGE("rpm files:\n" + join(keys(rpm)) + "expected:\n" + join(expectedFiles()),
                               keys(rpm) == expectedFiles());
        for (const auto& [path, perms] : deb) CPPUNIT_ASSERT_EQUAL_MESSAGE(path, perms, rpm[path]);
        CPPUNIT_ASSERT_EQUAL(std::string("-rwxr-xr-x"), deb["/usr/bin/zintrust-host"]);

        // The rpm owns only its own folders: /usr/share/man or /lib/systemd belong to other
        // packages (filesystem, systemd) and would conflict with them.
        const std::vector<std::string> own = {"/etc/zintrust", "/usr/include/zintrust", "/usr/lib/zintrust",
                                              "/usr/share/cmake/ZintrustPlugin", "/usr/share/doc/zintrust-host"};
        for (const auto& line : splitLines(
                 runOk({"rpm", "-qp", "--qf", "[%{FILEMODES:perms} %{FILENAMES}\\n]", Packages::get().rpm()}).output)) {
            if (line[0] != 'd') continue;
            std::string dir = line.substr(line.rfind(' ') + 1);
            bool ours = false;
            for (const auto& o : own) ours = ours || dir == o || dir.rfind(o + "/", 0) == 0;
            CPPUNIT_ASSERT_MESSAGE("rpm owns the shared folder " + dir, ours);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("-rw-r-----"), deb["/etc/zintrust/zintrust.env"]);
    }

    void no_test_plugin_is_packaged() {
        std::string listing = runOk({"dpkg-deb", "-c", Packages::get().deb()}).output +
                              runOk({"rpm", "-qlp", Packages::get().rpm()}).output;
        std::set<std::string> testPlugins;
        for (const auto& entry : fs::directory_iterator(ZT_TEST_BROKEN_PLUGIN_DIR)) {
            testPlugins.insert(entry.path().filename().string());
        }
        CPPUNIT_ASSERT_MESSAGE("no test plugins were built to compare with", testPlugins.size() >= 5);
        for (const auto& name : testPlugins) {
            CPPUNIT_ASSERT_MESSAGE(name + " is packaged:\n" + listing, listing.find(name) == std::string::npos);
        }
        CPPUNIT_ASSERT(listing.find("broken-plugins") == std::string::npos);
        // Unstripped RelWithDebInfo objects would be several times larger; CPACK_STRIP_FILES strips.
        ExtractedRoot root;
        for (const char* elf : {"/usr/bin/zintrust-host", "/usr/lib/zintrust/plugins/libzt_users.so"}) {
            Run syms = run({"nm", root(elf)});
            assertContains(syms.output, "no symbols");
        }
    }

    void deb_control_names_package_version_arch_and_library_depends() {
        const std::string deb = Packages::get().deb();
        CPPUNIT_ASSERT(fs::exists(deb));
        auto field = [&](const std::string& name) {
            std::string v = runOk({"dpkg-deb", "-f", deb, name}).output;
            return v.substr(0, v.find_last_not_of('\n') + 1);
        };
        CPPUNIT_ASSERT_EQUAL(std::string("zintrust-host"), field("Package"));
        CPPUNIT_ASSERT_EQUAL(kVersion, field("Version"));
        CPPUNIT_ASSERT_EQUAL(std::string("amd64"), field("Architecture"));
        CPPUNIT_ASSERT_EQUAL(std::string("net"), field("Section"));
        assertContains(field("Maintainer"), "zintrust-host contributors");
        assertContains(field("Description"), "service plugins");
        std::string depends = field("Depends");
        for (const char* dep : {"adduser", "libpocofoundation80", "libpoconet80", "libpocodatapostgresql80",
                                "libpocojson80", "libpq5", "libssl3", "libstdc++6"}) {
            assertContains(depends, dep);
        }
        assertContains(field("Suggests"), "nlohmann-json3-dev");
        // The allocator the build linked (ZT_MALLOC) is a dependency of the package, and the binary needs it.
        ExtractedRoot unpacked;
        const Run needed = runOk({"readelf", "-d", unpacked("/usr/bin/zintrust-host")});
        if (std::string(ZT_TEST_HOST_MALLOC) == "tcmalloc") {
            assertContains(depends, "libtcmalloc-minimal4");
            assertContains(needed.output, "libtcmalloc_minimal.so.4");
        } else {
            CPPUNIT_ASSERT_MESSAGE(depends, depends.find("tcmalloc") == std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(needed.output, needed.output.find("tcmalloc") == std::string::npos);
        }

        ExtractedRoot root;
        Run changelog = runOk({"gzip", "-dc", root("/usr/share/doc/zintrust-host/changelog.gz")});
        CPPUNIT_ASSERT_MESSAGE(changelog.output, changelog.output.rfind("zintrust-host (" + kVersion + ") ", 0) == 0);
        assertContains(readFile(root("/usr/share/doc/zintrust-host/copyright")), "License: MIT");
    }

    void deb_marks_every_etc_file_as_conffile_and_creates_system_user() {
        const std::string deb = Packages::get().deb();
        std::set<std::string> conffiles;
        for (const auto& l : splitLines(runOk({"dpkg-deb", "-I", deb, "conffiles"}).output)) conffiles.insert(l);
        std::set<std::string> etc;
        for (const auto& f : expectedFiles()) {
            if (f.rfind("/etc/", 0) == 0) etc.insert(f);
        }
        CPPUNIT_ASSERT_MESSAGE("conffiles:\n" + join(conffiles) + "etc files:\n" + join(etc), conffiles == etc);
        std::string postinst = runOk({"dpkg-deb", "-I", deb, "postinst"}).output;
        assertContains(postinst, "adduser --system --group");
        assertContains(postinst, " zintrust");
        assertContains(postinst, "mkdir -p /etc/zintrust/services.d");
        assertContains(postinst, "chmod 2775");  // /usr/local folders as Debian Policy 9.1.2 asks
        const std::string postrm = runOk({"dpkg-deb", "-I", deb, "postrm"}).output;
        assertContains(postrm, "rmdir /usr/local/lib/zintrust/plugins /usr/local/lib/zintrust");
        assertContains(postrm, "rmdir /etc/zintrust/services.d /etc/zintrust");
        assertContains(runOk({"dpkg-deb", "-I", deb, "prerm"}).output, "stop zintrust-host.service");
    }

    void rpm_header_requires_libraries_and_marks_etc_noreplace() {
        const std::string rpm = Packages::get().rpm();
        CPPUNIT_ASSERT_EQUAL(std::string("zintrust-host " + kVersion + " x86_64 MIT"),
                             runOk({"rpm", "-qp", "--qf", "%{NAME} %{VERSION} %{ARCH} %{LICENSE}", rpm}).output);
        assertContains(runOk({"rpm", "-qip", rpm}).output, "Summary     : C++ microservices host");
        std::string required = runOk({"rpm", "-qp", "--requires", rpm}).output;
        for (const char* lib :
             {"libPocoFoundation.so.80", "libPocoNet.so.80", "libPocoDataPostgreSQL.so.80", "libpq.so.5",
              "libcrypto.so.3", "/usr/sbin/useradd", "/usr/sbin/groupadd", "/usr/bin/getent"}) {
            assertContains(required, lib);
        }
        // Tools by capability (their paths), never a distribution's package name.
        CPPUNIT_ASSERT_MESSAGE(required, required.find("shadow-utils") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("1 zintrust-host contributors <zintrust-host@lists.invalid>"),
                             runOk({"rpm", "-qp", "--qf", "%{RELEASE} %{PACKAGER}", rpm}).output);
        CPPUNIT_ASSERT_EQUAL(kRpmName,
                             runOk({"rpm", "-qp", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm", rpm}).output);
        // c = %config, n = noreplace: every /etc file and nothing else.
        std::set<std::string> config, etc;
        for (const auto& line :
             splitLines(runOk({"rpm", "-qp", "--qf", "[%{FILEFLAGS:fflags} %{FILENAMES}\\n]", rpm}).output)) {
            std::string flags = line.substr(0, line.find(' '));
            if (flags.find('c') != std::string::npos) {
                CPPUNIT_ASSERT_MESSAGE(line, flags.find('n') != std::string::npos);
                config.insert(line.substr(line.find(' ') + 1));
            }
        }
        for (const auto& f : expectedFiles()) {
            if (f.rfind("/etc/", 0) == 0) etc.insert(f);
        }
        CPPUNIT_ASSERT_MESSAGE("config files:\n" + join(config), config == etc);
        std::string scripts = runOk({"rpm", "-qp", "--scripts", rpm}).output;
        assertContains(scripts, "useradd -r -g zintrust");
        assertContains(scripts, "disable --now zintrust-host.service");
    }

    void lintian_reports_no_errors_and_no_warnings() {
        Run lintian = run({"lintian", "--tag-display-limit", "0", Packages::get().deb()}, 300000);
        for (const auto& line : splitLines(lintian.output)) {
            CPPUNIT_ASSERT_MESSAGE("lintian error: " + line + "\n" + lintian.output, line.rfind("E: ", 0) != 0);
            CPPUNIT_ASSERT_MESSAGE("lintian warning: " + line + "\n" + lintian.output, line.rfind("W: ", 0) != 0);
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(lintian.output, 0, lintian.status);
        // The one deliberate finding is overridden, with its reason written above it.
        const std::string overrides = readFile(std::string(ZT_TEST_SOURCE_DIR) + "/packaging/debian/lintian-overrides");
        assertContains(overrides, "# /etc/zintrust/zintrust.env holds the service's secrets");
    }

    void rpmlint_reports_no_errors() {
        const std::string config = std::string(ZT_TEST_SOURCE_DIR) + "/packaging/rpm/rpmlint.toml";
        Run rpmlint = run({"rpmlint", "-c", config, Packages::get().rpm()}, 300000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(rpmlint.output, 0, rpmlint.status);
        assertContains(rpmlint.output, " 0 errors, ");
        for (const auto& line : splitLines(rpmlint.output)) {
            CPPUNIT_ASSERT_MESSAGE("rpmlint error: " + line, line.find(": E: ") == std::string::npos);
            // The only warning left: the project has no homepage to name (ZT_PACKAGE_HOMEPAGE_URL).
            if (line.find(": W: ") != std::string::npos) assertContains(line, "W: no-url-tag");
        }
    }

    void rpm_installs_into_a_scratch_root_running_its_scriptlets_then_erases() {
        // A root with just what the scriptlets call (sh, getent, groupadd, useradd, mkdir, rmdir and
        // their libraries): rpm runs %pre/%post/%preun/%postun chrooted into it.
        TempDir scratch;
        const std::string r = scratch.path();
        std::string script =
            "set -e; R='" + r +
            "'; mkdir -p \"$R/etc\" \"$R/dev\" \"$R/tmp\" \"$R/var/tmp\"; : > \"$R/dev/null\"\n"
            "for b in /bin/sh /usr/bin/getent /usr/sbin/groupadd /usr/sbin/useradd /bin/mkdir /bin/rmdir; do\n"
            "  real=$(readlink -f \"$b\"); mkdir -p \"$R$(dirname \"$b\")\" \"$R$(dirname \"$real\")\"; cp -L \"$b\" "
            "\"$R$b\"\n"
            "  for l in $(ldd \"$real\" | grep -o '/[^ ]*'); do mkdir -p \"$R$(dirname \"$l\")\"; cp -Ln \"$l\" "
            "\"$R$l\"; done\n"
            "done\n"
            "printf 'root:x:0:0:root:/root:/bin/sh\\n' > \"$R/etc/passwd\"; printf 'root:x:0:\\n' > \"$R/etc/group\"\n"
            "printf 'root:*:19000:0:99999:7:::\\n' > \"$R/etc/shadow\"; printf 'root:*::\\n' > \"$R/etc/gshadow\"\n"
            "cp /etc/login.defs \"$R/etc/\"; printf 'passwd: files\\ngroup: files\\nshadow: files\\n' > "
            "\"$R/etc/nsswitch.conf\"\n";
        runOk({"/bin/sh", "-c", script});
        runOk({"rpm", "--root", r, "--initdb"});
        // --nodeps: the scratch root's rpm database knows none of the libraries the host needs.
        Run install = run({"rpm", "--root", r, "--nodeps", "-i", Packages::get().rpm()});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(install.output, 0, install.status);
        // Debian's rpm prints a warning of its own ("rpm: ..., use Alien instead!"); anything else
        // would come from a scriptlet.
        std::string complaints;
        for (const auto& line : splitLines(install.output)) {
            if (line.rfind("rpm: ", 0) != 0) complaints += line + "\n";
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE("a scriptlet complained", std::string(), complaints);
        assertContains(readFile(r + "/etc/passwd"), "\nzintrust:x:");
        assertContains(readFile(r + "/etc/group"), "\nzintrust:x:");
        for (const char* dir : {"/usr/local/lib/zintrust/plugins", "/etc/zintrust/services.d"}) {
            CPPUNIT_ASSERT_MESSAGE(dir, fs::is_directory(r + dir));
        }
        CPPUNIT_ASSERT(fs::exists(r + "/usr/lib/systemd/system/zintrust-host.service"));
        CPPUNIT_ASSERT(fs::exists(r + "/usr/bin/zintrust-host"));
        CPPUNIT_ASSERT_EQUAL(0640u,
                             static_cast<unsigned>(fs::status(r + "/etc/zintrust/zintrust.env").permissions()) & 0777u);
        CPPUNIT_ASSERT_EQUAL(std::string("zintrust-host-" + kVersion + "-1.x86_64\n"),
                             runOk({"rpm", "--root", r, "-q", "zintrust-host"}).output);

        // Erase: an edited conffile is kept as .rpmsave, the user's own folder with a file in it
        // stays, the empty one goes.
        {
            std::ofstream env(r + "/etc/zintrust/zintrust.env", std::ios::app);
            env << "SERVICE_API_KEY=edited\n";
        }
        std::ofstream(r + "/etc/zintrust/services.d/mine.txt") << "mine\n";
        Run erase = run({"rpm", "--root", r, "--nodeps", "-e", "zintrust-host"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(erase.output, 0, erase.status);
        CPPUNIT_ASSERT(!fs::exists(r + "/usr/bin/zintrust-host"));
        CPPUNIT_ASSERT(fs::exists(r + "/etc/zintrust/zintrust.env.rpmsave"));
        CPPUNIT_ASSERT(fs::exists(r + "/etc/zintrust/services.d/mine.txt"));
        CPPUNIT_ASSERT(!fs::exists(r + "/usr/local/lib/zintrust/plugins"));
    }

    void packaged_binaries_are_hardened() {
        // What -D_FORTIFY_SOURCE=2, -z relro -z now and PIE leave in the ELF files (readelf).
        ExtractedRoot root;
        const std::string host = root("/usr/bin/zintrust-host");
        assertContains(runOk({"readelf", "-h", host}).output, "DYN (Position-Independent Executable file)");
        for (const std::string& elf : {host, root("/usr/lib/zintrust/plugins/libzt_users.so"),
                                       root("/usr/lib/zintrust/plugins/libzt_orders.so")}) {
            const std::string dynamic = runOk({"readelf", "-d", elf}).output;
            CPPUNIT_ASSERT_MESSAGE(elf + ": no BIND_NOW\n" + dynamic,
                                   dynamic.find("BIND_NOW") != std::string::npos ||
                                       std::regex_search(dynamic, std::regex("FLAGS_1.*NOW")));
            assertContains(runOk({"readelf", "-l", elf}).output, "GNU_RELRO");
        }
        // Fortified calls: glibc's checked variants (__memcpy_chk, __snprintf_chk, ...) are imported.
        const std::string symbols = runOk({"readelf", "--dyn-syms", "-W", host}).output;
        CPPUNIT_ASSERT_MESSAGE(symbols, std::regex_search(symbols, std::regex("__[a-z_]+_chk")));
        assertContains(symbols, "__stack_chk_fail");
    }

    void installed_docs_cover_commands_ports_endpoints_files_and_sdk() {
        ExtractedRoot root;
        const std::string readme = readFile(root("/usr/share/doc/zintrust-host/README.md"));
        for (const char* section :
             {"## Configuration reference", "docs/CONFIGURATION.md", "### Tokens", "## Endpoints"}) {
            assertContains(readme, section);
        }
        const std::string reference = readFile(root("/usr/share/doc/zintrust-host/docs/CONFIGURATION.md"));
        for (const char* section : {"## Environment", "## service.config.json", "## Migrations"}) {
            assertContains(reference, section);
        }
        for (const char* page : {"ARCHITECTURE.md", "PLUGINS.md", "FILTERS.md", "CALLS.md", "DATABASE.md"}) {
            CPPUNIT_ASSERT_MESSAGE(page, fs::exists(root(std::string("/usr/share/doc/zintrust-host/docs/") + page)));
        }
        CPPUNIT_ASSERT(fs::exists(root("/usr/share/doc/zintrust-host/examples/hello-plugin/hello.cpp")));
        const std::string man = runOk({"gzip", "-dc", root("/usr/share/man/man1/zintrust-host.1.gz")}).output;
        for (const char* part : {".SH COMMANDS AND OPTIONS", ".SH PORTS AND ENDPOINTS", ".SH ENVIRONMENT", ".SH FILES",
                                 ".SH PLUGIN SDK", ".SH EXIT STATUS", ".B token", "/health/services", "ADMIN_PORT",
                                 "/etc/zintrust/services.d", "find_package(ZintrustPlugin)"}) {
            assertContains(man, part);
        }
        // One spelling of every option: "--env-file FILE", never "--env-file=FILE" as the only form.
        CPPUNIT_ASSERT_MESSAGE("man page writes --env-file=FILE", man.find("env\\-file= FILE") == std::string::npos);
        // The page renders without groff warnings.
        Run render = run({"man", "--warnings", "-l", "-Tutf8", root("/usr/share/man/man1/zintrust-host.1.gz")});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(render.output, 0, render.status);
        CPPUNIT_ASSERT_MESSAGE(render.output, render.output.find("warning") == std::string::npos);
    }

    void cpack_refuses_a_binary_compiled_for_another_prefix() {
        // The same CPack configuration, as if the tree had been configured for /usr/local.
        TempDir dir;
        std::string config = readFile(Packages::get().buildDir() + "/CPackConfig.cmake");
        const std::string ours = "set(CPACK_ZT_HOST_BINDIR \"/usr/bin\")";
        CPPUNIT_ASSERT_MESSAGE(config, config.find(ours) != std::string::npos);
        config.replace(config.find(ours), ours.size(), "set(CPACK_ZT_HOST_BINDIR \"/usr/local/bin\")");
        std::string path = dir.write("CPackConfig.cmake", config);
        Run cpack = run({"cpack", "--config", path, "-G", "DEB", "-B", dir.path() + "/out"});
        CPPUNIT_ASSERT_MESSAGE(cpack.output, cpack.status != 0);
        assertContains(cpack.output, "compiled for /usr/local/bin");
        CPPUNIT_ASSERT(!fs::exists(dir.path() + "/out/" + kDebName));
    }

    void systemd_unit_verifies_and_runs_hardened_as_zintrust() {
        ExtractedRoot root;
        std::string unit = readFile(root("/usr/lib/systemd/system/zintrust-host.service"));
        for (const char* line : {"User=zintrust",
                                 "EnvironmentFile=/etc/zintrust/zintrust.env",
                                 "ExecStart=/usr/bin/zintrust-host\n",
                                 "KillSignal=SIGTERM",
                                 "KillMode=mixed",
                                 "TimeoutStopSec=",
                                 "Restart=on-failure",
                                 "NoNewPrivileges=yes",
                                 "ProtectSystem=strict",
                                 "ProtectHome=yes",
                                 "PrivateTmp=yes",
                                 "PrivateDevices=yes",
                                 "ProtectKernelTunables=yes",
                                 "ProtectKernelModules=yes",
                                 "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                                 "CapabilityBoundingSet=\n",
                                 "WantedBy=multi-user.target",
                                 "Documentation=man:zintrust-host(1)",
                                 "Type=notify\n",
                                 "NotifyAccess=main",
                                 "ExecReload=/bin/kill -HUP $MAINPID",
                                 "WatchdogSec="}) {
            assertContains(unit, line);
        }
        // systemd-analyze checks that ExecStart exists: point it at the unpacked binary. It would
        // also look up Documentation=man:zintrust-host(1) on this system, where the package is
        // not installed: the page's presence in the package is checked by the file list tests.
        const std::string exec = "ExecStart=/usr/bin/zintrust-host";
        unit.replace(unit.find(exec), exec.size(), "ExecStart=" + root("/usr/bin/zintrust-host"));
        TempDir dir;
        std::string copy = dir.write("zintrust-host.service", unit);
        Run verify = run({"systemd-analyze", "verify", "--man=no", copy}, 60000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(verify.output, 0, verify.status);
        CPPUNIT_ASSERT_EQUAL_MESSAGE("systemd-analyze warnings", std::string(), verify.output);
    }

    void env_file_documents_every_variable_commented_without_secrets() {
        ExtractedRoot root;
        std::string env = readFile(root("/etc/zintrust/zintrust.env"));
        for (const auto& line : splitLines(env)) {
            CPPUNIT_ASSERT_MESSAGE("not commented out: " + line, line[0] == '#');
        }
        for (const auto& name : zt::config::EnvConfig::knownVariables()) {
            // "SERVICE_URL_<NAME>" stands for a family: one example of it is enough.
            std::string prefix = name.substr(0, name.find('<'));
            assertContains(env, "\n#" + prefix + (prefix == name ? "=" : ""));
        }
        for (const char* secret : {"SERVICE_API_KEY", "SERVICE_JWT_SECRET", "DB_PASSWORD", "ADMIN_TOKEN"}) {
            assertContains(env, "\n#" + std::string(secret) + "=\n");
        }
    }

    void extracted_host_checks_packaged_services_with_packaged_env_file() {
        ExtractedRoot root;
        TestDatabase database;  // --check-config connects with the provisioning credentials
        std::map<std::string, std::string> env = {
            {"DATABASE_URL", database.url()},
            {"ZT_PLUGIN_DIR", root("/usr/lib/zintrust/plugins")},
            {"ZT_SERVICES_DIR", root("/etc/zintrust/services")},
            {"SERVICE_API_KEY", kTestApiKey},
            {"SERVICE_JWT_SECRET", kTestJwtSecret},
        };
        std::string out;
        int status = runCommand(
            {root("/usr/bin/zintrust-host"), "--env-file", root("/etc/zintrust/zintrust.env"), "--check-config"}, env,
            out, 30000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 0, status);
        for (const auto& svc : kServices) assertContains(out, "service " + svc + ": ok");
        assertContains(out, "result: ok");
        assertContains(out, "service users: database: role 'ecommerce_users', schema 'ecommerce_users' in database '" +
                                database.name() + "': the provisioning role 'postgres' can create it");

        // Without the secrets the packaged services are refused: the package ships none.
        env.erase("SERVICE_API_KEY");
        env.erase("SERVICE_JWT_SECRET");
        status = runCommand(
            {root("/usr/bin/zintrust-host"), "--env-file", root("/etc/zintrust/zintrust.env"), "--check-config"}, env,
            out, 30000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 1, status);
        assertContains(out, "service users: ERROR");

        status = runCommand({root("/usr/bin/zintrust-host"), "--version"}, {}, out, 30000);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(out, 0, status);
        assertContains(out, kVersion);
    }

    void packaged_sdk_builds_hello_plugin_out_of_tree_and_extracted_host_serves_it() {
        ExtractedRoot root;
        TempDir build;
        const std::string example = std::string(ZT_TEST_SOURCE_DIR) + "/examples/hello-plugin";
        runOk({"cmake", "-S", example, "-B", build.path(), "-DCMAKE_BUILD_TYPE=Release",
               "-DCMAKE_PREFIX_PATH=" + root("/usr"), "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"},
              120000);
        runOk({"cmake", "--build", build.path()}, 240000);
        // The SDK came from the unpacked package, not from the source tree.
        CPPUNIT_ASSERT_EQUAL(root("/usr/share/cmake/ZintrustPlugin"),
                             readCacheValue(build.path(), "ZintrustPlugin_DIR"));
        assertContains(readFile(build.path() + "/CMakeFiles/zt_hello.dir/flags.make"),
                       "-isystem " + root("/usr/include"));
        assertContains(readFile(build.path() + "/CMakeFiles/zt_hello.dir/link.txt"),
                       "--version-script=" + root("/usr/share/cmake/ZintrustPlugin/zintrust-plugin.map"));
        std::string exported = runOk({"nm", "-D", "--defined-only", build.path() + "/libzt_hello.so"}).output;
        CPPUNIT_ASSERT_MESSAGE(exported, std::regex_search(exported, std::regex("^[0-9a-f]+ T zt_plugin_entry\n$")));
        // The plugin's own unit test ran against the packaged test host (zintrust/testing.hpp).
        std::string tested = runOk({"ctest", "--test-dir", build.path(), "--output-on-failure"}, 120000).output;
        assertContains(tested, "hello_test");
        assertContains(tested, "100% tests passed, 0 tests failed out of 1");
        assertContains(runOk({"readelf", "-d", build.path() + "/hello_test"}).output,
                       "Library runpath: [" + root("/usr/lib/zintrust") + "]");

        fs::copy_file(build.path() + "/libzt_hello.so", root("/usr/lib/zintrust/plugins/libzt_hello.so"));
        TempDir services;
        int port = freePort();
        std::string config = readFile(example + "/service.config.json");
        config = std::regex_replace(config, std::regex("\"port\"\\s*:\\s*[0-9]+"), "\"port\": " + std::to_string(port));
        config = std::regex_replace(config, std::regex("\"greeting\"\\s*:\\s*\"[^\"]*\""), "\"greeting\": \"Howdy\"");
        services.write("examples/hello/service.config.json", config);
        int admin = freePort();
        std::map<std::string, std::string> env = {
            {"ZT_PLUGIN_DIR", root("/usr/lib/zintrust/plugins")},
            {"ZT_SERVICES_DIR", services.path()},
            {"ADMIN_PORT", std::to_string(admin)},
            {"ZT_BIND_ADDRESS", "127.0.0.1"},
        };

        const std::string host = root("/usr/bin/zintrust-host");
        std::string log;
        int exitStatus = -2;
        std::thread child([&] { exitStatus = runCommand({host}, env, log, 60000); });
        HttpResult hello;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            hello = httpRequest("GET", port, "/hello/packaged", "", {}, 1000);
            if (hello.status != 0) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        HttpResult health = httpRequest("GET", port, "/health");
        pid_t pid = findProcessByExe(host);
        if (pid > 0) ::kill(pid, SIGTERM);
        child.join();

        CPPUNIT_ASSERT_MESSAGE("host process not found; log:\n" + log, pid > 0);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(hello.error + "\n" + log, 200, hello.status);
        CPPUNIT_ASSERT_EQUAL(std::string("Howdy, packaged!"), hello.body);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(health.body, 200, health.status);
        CPPUNIT_ASSERT_EQUAL_MESSAGE("SIGTERM must stop the host cleanly:\n" + log, 0, exitStatus);
        assertContains(log, "service hello 1.0.0 listening on port " + std::to_string(port));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PackageTest);
