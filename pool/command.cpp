// SPDX-License-Identifier: Apache-2.0
// The command line of a twinlane server, for any service:
//   PROGRAM --config FILE                      run the master in the foreground
//   PROGRAM --check-config FILE                validate FILE and its data paths, exit 0 or 1
//   PROGRAM nginx-config --config FILE [--listen ADDR] [--server-name NAME]   print the nginx upstreams and server
// Poco's ServerApplication parses the options and sets up nothing else; the master loop is ours
// (waitForTerminationRequest() cannot see SIGCHLD or SIGHUP).
#include "pool/command.h"

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "pool/config.h"
#include "pool/exit_codes.h"
#include "pool/logging.h"
#include "pool/master.h"
#include "pool/nginx_config.h"
#include "pool/status.h"
#include "pool/version.h"

namespace twinlane::pool {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

std::vector<fcgi::RouteSpec> allRoutes(const ServiceDescription& service) {
  std::vector<fcgi::RouteSpec> routes = service.routes;
  for (auto& route : poolRoutes()) routes.push_back(std::move(route));
  return routes;
}

Config loadValidConfig(const ServiceDescription& service, const std::string& path) {
  Config config = loadConfig(path);
  std::vector<std::string> names;
  for (const auto& route : allRoutes(service)) names.push_back(route.name);
  validateRoutes(config, names);
  for (const auto& [key, file] : {std::pair{"data.graph", config.data.graph}, {"data.coordinates", config.data.coordinates}}) {
    if (!file.empty() && ::access(file.c_str(), R_OK) != 0) {
      throw ConfigError(path + ": " + key + ": cannot read " + file + ": " + std::strerror(errno));
    }
  }
  return config;
}

class ServerCommand : public Poco::Util::ServerApplication {
 public:
  explicit ServerCommand(ServiceDescription service) : service_(std::move(service)) {}

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override {
    ServerApplication::defineOptions(options);
    options.addOption(Option("help", "h", "print this help and exit").callback(OptionCallback<ServerCommand>(this, &ServerCommand::onHelp)));
    options.addOption(Option("version", "", "print the version and exit").callback(OptionCallback<ServerCommand>(this, &ServerCommand::onVersion)));
    options.addOption(Option("config", "c", "the YAML configuration file").argument("FILE").binding("twinlane.config"));
    options.addOption(Option("check-config", "t", "validate FILE (syntax, keys, routes, data paths) and exit 0 or 1")
                          .argument("FILE").binding("twinlane.check"));
    options.addOption(Option("listen", "l", "nginx-config: the address nginx listens on (default 127.0.0.1:8080)")
                          .argument("ADDR").binding("twinlane.listen"));
    options.addOption(Option("server-name", "s", "nginx-config: the server_name of the server block (default _)")
                          .argument("NAME").binding("twinlane.server_name"));
  }

  int main(const std::vector<std::string>& args) override {
    if (done_) return kExitOk;
    try {
      if (config().has("twinlane.check")) return checkConfig(config().getString("twinlane.check"));
      if (!config().has("twinlane.config")) return usage("--config FILE is required");
      const std::string config_path = config().getString("twinlane.config");
      if (args.size() == 1 && args[0] == "nginx-config") return printNginxConfig(config_path);
      if (!args.empty()) return usage("unknown command '" + args[0] + "'");
      return runMaster(config_path);
    } catch (const ConfigError& error) {
      std::cerr << "twinlane: " << error.what() << "\n";
      return kExitConfig;
    }
  }

 private:
  void onHelp(const std::string&, const std::string&) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(service_.program);
    help.setUsage("--config FILE | --check-config FILE | nginx-config --config FILE [--listen ADDR] [--server-name NAME]");
    help.setHeader("A FastCGI application server with a fast lane and a preforked slow lane, behind nginx.");
    help.format(std::cout);
    stopOptionsProcessing();
    done_ = true;
  }

  void onVersion(const std::string&, const std::string&) {
    std::cout << service_.program << " " << kVersion << "\n";
    stopOptionsProcessing();
    done_ = true;
  }

  int usage(const std::string& problem) {
    std::cerr << "twinlane: " << problem << "\nusage: twinlane --config FILE | --check-config FILE | "
              << "nginx-config --config FILE [--listen ADDR] [--server-name NAME]\n";
    return kExitUsage;
  }

  int checkConfig(const std::string& path) {
    try {
      loadValidConfig(service_, path);
    } catch (const ConfigError& error) {
      std::cerr << "twinlane: " << error.what() << "\ntwinlane: configuration " << path << " test failed\n";
      return kExitFailure;
    }
    std::cout << "twinlane: configuration " << path << " is ok\n";
    return kExitOk;
  }

  int printNginxConfig(const std::string& path) {
    const Config settings = loadValidConfig(service_, path);
    NginxSite site;
    site.listen = config().getString("twinlane.listen", site.listen);
    site.server_name = config().getString("twinlane.server_name", site.server_name);
    site.config_path = path;
    std::cout << renderNginxConfig(settings, allRoutes(service_), site);
    return kExitOk;
  }

  int runMaster(const std::string& path) {
    const Config settings = loadValidConfig(service_, path);
    setUpLogging(settings.log_level);
    Poco::Logger& log = Poco::Logger::get("twinlane.master");
    log.notice("twinlane %s starting with %s (pid %d)", std::string(kVersion), path, static_cast<int>(::getpid()));
    try {
      const ConfigLoader reload = [this, path] { return loadValidConfig(service_, path); };
      return Master(settings, reload, service_.make_service, log).run();
    } catch (const std::exception& error) {
      log.critical("cannot start: %s", std::string(error.what()));
      return kExitConfig;
    }
  }

  ServiceDescription service_;
  bool done_ = false;
};

}  // namespace

int runCommand(int argc, char** argv, ServiceDescription service) {
  ServerCommand command(std::move(service));
  return command.run(argc, argv);
}

}  // namespace twinlane::pool
