// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 The Candor Authors

import Foundation

/// Every endpoint of the management API, in the style of Firecracker's: resources under
/// `/vm`, actions as `PUT` on a sub-path, JSON in and out. hypervisor/api/openapi.yaml
/// documents the same list (a test keeps the two equal).
public enum APIRoute: String, CaseIterable, Sendable {
    case info, pause, resume, shutdown
    case snapshotCreate
    /// Restores a snapshot into a VMM started without a VM (see `VMSlot`).
    case snapshotLoad
    case migrate

    public var method: String {
        switch self {
        case .info: return "GET"
        default: return "PUT"
        }
    }

    public var path: String {
        switch self {
        case .info: return "/vm"
        case .pause: return "/vm/pause"
        case .resume: return "/vm/resume"
        case .shutdown: return "/vm/shutdown"
        case .snapshotCreate: return "/snapshot/create"
        case .snapshotLoad: return "/snapshot/load"
        case .migrate: return "/vm/migrate"
        }
    }
}

/// Turns one parsed request into one response: the path and method pick the route, a
/// body (optional everywhere) must be a JSON object, the controller does the work.
public struct APIRouter: Sendable {
    public let controller: any VMController

    public init(controller: any VMController) { self.controller = controller }

    /// The answer, and what to do once it has been sent (the shutdown itself).
    public func respond(to request: HTTPRequest) -> (response: HTTPResponse, afterResponse: (@Sendable () -> Void)?) {
        let routes = APIRoute.allCases.filter { $0.path == request.path }
        guard !routes.isEmpty else {
            return (.error(.notFound, "no such resource: \(request.path.prefix(200)); see hypervisor/api/openapi.yaml"), nil)
        }
        guard let route = routes.first(where: { $0.method == request.method }) else {
            let allowed = routes.map(\.method).joined(separator: ", ")
            return (.error(.methodNotAllowed, "\(request.method) is not allowed on \(request.path); use \(allowed)",
                           headers: ["Allow: \(allowed)"]), nil)
        }
        if let problem = Self.checkBody(request) { return (problem, nil) }
        if route != .info, route != .snapshotLoad, controller.info().state == .notStarted {
            return (Self.response(to: .noVM), nil)
        }
        switch route {
        case .info:
            return (Self.json(controller.info()), nil)
        case .pause, .resume:
            do {
                if route == .pause { try controller.pause() } else { try controller.resume() }
            } catch {
                return (Self.response(to: error), nil)
            }
            return (Self.json(controller.info()), nil)
        case .shutdown:
            var info = controller.info()
            info.state = .stopping
            let controller = controller
            return (Self.json(info), { controller.shutdown() })
        case .snapshotCreate:
            let snapshot: SnapshotRequest
            do { snapshot = try JSONDecoder().decode(SnapshotRequest.self, from: Data(request.body)) } catch {
                return (.error(.badRequest, #"the body must name a new directory: {"snapshot_path": "/absolute/path"}"#), nil)
            }
            if let problem = Self.checkAbsolute(snapshot.snapshotPath) { return (problem, nil) }
            do {
                return (Self.json(try controller.snapshot(to: snapshot.snapshotPath)), nil)
            } catch {
                return (Self.response(to: error), nil)
            }
        case .migrate:
            let migration: MigrationRequest
            do { migration = try JSONDecoder().decode(MigrationRequest.self, from: Data(request.body)) } catch {
                return (.error(.badRequest, #"the body must name the destination: {"destination_url": "unix:PATH" or "tcp:HOST:PORT"}"#), nil)
            }
            do {
                return (Self.json(try controller.migrate(to: migration.destinationURL)), nil)
            } catch {
                return (Self.response(to: error), nil)
            }
        case .snapshotLoad:
            let load: SnapshotLoadRequest
            do { load = try JSONDecoder().decode(SnapshotLoadRequest.self, from: Data(request.body)) } catch {
                return (.error(.badRequest, #"the body must name the snapshot directory: {"snapshot_path": "/absolute/path", "resume": true}"#), nil)
            }
            if let problem = Self.checkAbsolute(load.snapshotPath) { return (problem, nil) }
            do {
                return (Self.json(try controller.loadSnapshot(from: load.snapshotPath, resume: load.resume)), nil)
            } catch {
                return (Self.response(to: error), nil)
            }
        }
    }

    /// A `snapshot_path` must be absolute: the server's working directory is not the client's.
    static func checkAbsolute(_ path: String) -> HTTPResponse? {
        guard path.hasPrefix("/"), !path.utf8.contains(0) else {
            return .error(.badRequest, "snapshot_path must be an absolute path, not \(path.prefix(200))")
        }
        return nil
    }

    static func response(to error: VMControlError) -> HTTPResponse {
        switch error {
        case let .invalid(message): return .error(.badRequest, message)
        case let .conflict(message): return .error(.conflict, message)
        case let .failed(message): return .error(.internalServerError, message)
        }
    }

    /// A body, when there is one, must be a UTF-8 JSON object sent as application/json.
    static func checkBody(_ request: HTTPRequest) -> HTTPResponse? {
        guard !request.body.isEmpty else { return nil }
        if let type = request.header("Content-Type"),
           type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() != "application/json" {
            return .error(.unsupportedMediaType, "a body must be application/json, not \(type.prefix(100))")
        }
        guard String(validating: request.body, as: UTF8.self) != nil else {
            return .error(.badRequest, "the body is not valid UTF-8")
        }
        guard let value = try? JSONSerialization.jsonObject(with: Data(request.body), options: [.fragmentsAllowed]) else {
            return .error(.badRequest, "the body is not valid JSON")
        }
        guard value is [String: Any] else { return .error(.badRequest, "the body must be a JSON object") }
        return nil
    }

    static func json<Value: Encodable>(_ value: Value) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else {
            return .error(.internalServerError, "could not encode the answer as JSON")
        }
        return HTTPResponse(status: .ok, body: Array(data))
    }
}
