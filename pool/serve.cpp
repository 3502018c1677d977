// SPDX-License-Identifier: Apache-2.0
// The command line of a server built on twinlane: see serve.h.
// Poco's ServerApplication parses the options and sets up nothing else; the master loop is ours
// (waitForTerminationRequest() cannot see SIGCHLD or SIGHUP).
#include "pool/serve.h"

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
#include "pool/service_check.h"
#include "pool/status.h"
#include "twinlane/version.h"

namespace twinlane::pool {
namespace {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

// The config file read by the pool and the service, and checked by the service (its files
// exist and are readable, ...) as the user it will run as: what --check-config and
// nginx-config use.
Config loadValidConfig(const ServiceSpec& service, const std::string& path) {
  Config config = loadConfig(path, service);
  checkServiceAsItsUser(config);
  return config;
}

// The master loads each generation's data through this, after it has dropped privileges, so the
// service's check() sees the files as the configured user will (a data file only root may read
// fails here, with its FILE:LINE: key, not later in a worker).
std::unique_ptr<fcgi::Service> loadService(const Config& config) {
  config.service->check();
  return config.service->load();
}

class ServerCommand : public Poco::Util::ServerApplication {
 public:
  explicit ServerCommand(ServiceSpec service) : service_(std::move(service)) {}

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
      std::cerr << service_.name << ": " << error.what() << "\n";
      return kExitConfig;
    }
  }

 private:
  void onHelp(const std::string&, const std::string&) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(service_.name);
    help.setUsage("--config FILE | --check-config FILE | nginx-config --config FILE [--listen ADDR] [--server-name NAME]");
    help.setHeader("A FastCGI application server with a fast lane and a preforked slow lane, behind nginx.");
    help.format(std::cout);
    stopOptionsProcessing();
    done_ = true;
  }

  void onVersion(const std::string&, const std::string&) {
    std::cout << service_.name << " " << kVersion << "\n";
    stopOptionsProcessing();
    done_ = true;
  }

  int usage(const std::string& problem) {
    std::cerr << service_.name << ": " << problem << "\nusage: " << service_.name << " --config FILE | --check-config FILE | "
              << "nginx-config --config FILE [--listen ADDR] [--server-name NAME]\n";
    return kExitUsage;
  }

  int checkConfig(const std::string& path) {
    try {
      loadValidConfig(service_, path);
    } catch (const ConfigError& error) {
      std::cerr << service_.name << ": " << error.what() << "\n" << service_.name << ": configuration " << path << " test failed\n";
      return kExitFailure;
    }
    std::cout << service_.name << ": configuration " << path << " is ok\n";
    return kExitOk;
  }

  int printNginxConfig(const std::string& path) {
    const Config settings = loadValidConfig(service_, path);
    NginxSite site;
    site.listen = config().getString("twinlane.listen", site.listen);
    site.server_name = config().getString("twinlane.server_name", site.server_name);
    site.config_path = path;
    site.url_prefix = service_.url_prefix;
    if (settings.service) site.static_root = settings.service->staticRoot();
    std::vector<fcgi::RouteSpec> routes;
    for (const auto& route : settings.routes) routes.push_back(route.route);
    std::cout << renderNginxConfig(settings, routes, site);
    return kExitOk;
  }

  int runMaster(const std::string& path) {
    const Config settings = loadConfig(path, service_);  // checked by loadService, unprivileged
    setUpLogging(settings.log_level);
    Poco::Logger& log = Poco::Logger::get("twinlane.master");
    log.notice("%s %s starting with %s (pid %d)", service_.name, std::string(kVersion), path, static_cast<int>(::getpid()));
    try {
      const ConfigLoader reload = [this, path] { return loadConfig(path, service_); };
      return Master(settings, reload, loadService, log).run();
    } catch (const std::exception& error) {
      log.critical("cannot start: %s", std::string(error.what()));
      return kExitConfig;
    }
  }

  ServiceSpec service_;
  bool done_ = false;
};

}  // namespace

int serve(int argc, char** argv, ServiceSpec service) {
  try {
    checkServiceSpec(service);
  } catch (const std::invalid_argument& error) {
    std::cerr << (service.name.empty() ? std::string("twinlane") : service.name) << ": invalid ServiceSpec: " << error.what()
              << "\n";
    return kExitUsage;
  }
  ServerCommand command(std::move(service));
  return command.run(argc, argv);
}

}  // namespace twinlane::pool
