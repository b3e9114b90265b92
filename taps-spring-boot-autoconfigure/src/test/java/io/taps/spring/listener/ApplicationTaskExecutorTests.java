package io.taps.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.spring.boot.autoconfigure.TapsAutoConfiguration;
import io.taps.spring.boot.autoconfigure.TapsListenerAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.AsyncTaskExecutor;

/**
 * The handler executor is an {@code Executor} bean, and Boot's {@code applicationTaskExecutor}
 * (for {@code @Async}, MVC async requests, ...) backs off when it finds one: the taps listener
 * auto-configuration must come after Boot's task execution auto-configuration so adding the
 * starter does not take that executor away.
 */
class ApplicationTaskExecutorTests {

    @Test
    void bootsApplicationTaskExecutorSurvivesTheHandlerExecutor() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TapsAutoConfiguration.class, TapsListenerAutoConfiguration.class,
                    TaskExecutionAutoConfiguration.class))
            .withPropertyValues("taps.event-loop-threads=1")
            .run(context -> {
                assertThat(context).hasNotFailed()
                    .hasBean(TapsListenerAutoConfiguration.EXECUTOR_BEAN_NAME)
                    .hasBean(TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME);
                assertThat(context.getBean(TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME))
                    .isInstanceOf(AsyncTaskExecutor.class);
            });
    }
}
