import Hummingbird
import Logging

/// Turns every error — unknown paths, bad parameters, failures inside handlers — into orchestrator's JSON error
/// envelope, so clients that parse every body as JSON (orchestrator-client does) always can.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONBody.error(error.message, status: error.status)
        } catch let error as HTTPError {
            if error.status == .notFound {
                return JSONBody.error("Unknown API path: \(request.uri.path)", status: .notFound)
            }
            return JSONBody.error(error.body ?? "\(error.status.reasonPhrase)", status: error.status)
        } catch {
            context.logger.error("API request failed", metadata: ["baton.error": "\(error)"])
            return JSONBody.error("\(error)")
        }
    }
}
