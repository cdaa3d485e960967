/**
 * Whether the instance is shutting down: `/readyz` answers 503 and
 * responses carry `Connection: close` once draining starts.
 *
 * @since 0.1.0
 */
import { Context, Layer } from "effect"

/**
 * The instance's lifecycle state.
 *
 * @since 0.1.0
 * @category services
 */
export class Lifecycle extends Context.Service<
  Lifecycle,
  {
    readonly isDraining: () => boolean
    readonly beginDrain: () => void
  }
>()("@account-overview/http/Lifecycle") {
  /**
   * A fresh lifecycle, not draining.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Lifecycle> = Layer.sync(Lifecycle, () => {
    let draining = false
    return Lifecycle.of({
      isDraining: () => draining,
      beginDrain: () => {
        draining = true
      }
    })
  })
}
