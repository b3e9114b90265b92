package io.taps.spring.listener;

/**
 * What the {@link TapsListenerRegistry} worked out for one endpoint when it was registered, shared
 * by every start of it: the handler bound to its converters, content type and validator, how its
 * replies are sent, where its errors go, and its handler figures.
 */
record ListenerBinding(HandlerMethod.Invoker invoker, ReplySender replies, ListenerErrors errors,
        ListenerHandlerFigures figures) {
}
