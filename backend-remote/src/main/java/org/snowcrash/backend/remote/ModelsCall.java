package org.snowcrash.backend.remote;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * {@code GET <base>/models} on several endpoints at once, each call bounded as a whole, so that
 * asking N endpoints takes as long as the slowest one, not the sum. Used for the availability
 * probe (is anything there?) and the start's check (is the model served there?). Stateless;
 * thread-safe.
 */
final class ModelsCall {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ModelsCall() {
    }

    /**
     * Asks every URL, in parallel, and waits for all answers.
     *
     * @param bound how long each call may take as a whole (connect, TLS, answer)
     * @return one answer per URL, in the given order
     * @throws InterruptedException when the caller is interrupted (the calls are cancelled)
     */
    static Map<String, ModelsAnswer> fetch(OkHttpClient http, List<String> urls, Optional<String> apiKey, Duration bound)
            throws InterruptedException {
        OkHttpClient client = http.newBuilder().callTimeout(bound).build();
        Map<String, ModelsAnswer> answers = new ConcurrentHashMap<>();
        Map<String, Call> calls = new LinkedHashMap<>();
        CountDownLatch done = new CountDownLatch(urls.size());
        for (String url : urls) {
            Request.Builder rb = new Request.Builder().url(url + "/models").get();
            apiKey.ifPresent(k -> rb.header("Authorization", "Bearer " + k));
            Call call = client.newCall(rb.build());
            calls.put(url, call);
            call.enqueue(new Callback() {
                @Override
                public void onResponse(Call c, Response response) {
                    try (response; ResponseBody body = response.body()) {
                        String text = body == null ? "" : body.string();
                        answers.put(url, response.code() == 200 ? ModelsAnswer.parse(text, MAPPER)
                                : new ModelsAnswer.Status(response.code(), ModelsAnswer.errorMessage(text, MAPPER)));
                    } catch (IOException e) {
                        answers.put(url, new ModelsAnswer.Failed(e));
                    } finally {
                        done.countDown();
                    }
                }

                @Override
                public void onFailure(Call c, IOException e) {
                    answers.put(url, new ModelsAnswer.Failed(e));
                    done.countDown();
                }
            });
        }
        try {
            // The call timeout bounds each call; the extra second only guards against a callback that never comes.
            if (!done.await(bound.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                calls.values().forEach(Call::cancel);
            }
        } catch (InterruptedException e) {
            calls.values().forEach(Call::cancel);
            throw e;
        }
        Map<String, ModelsAnswer> ordered = new LinkedHashMap<>();
        for (String url : urls) {
            ordered.put(url, answers.getOrDefault(url, new ModelsAnswer.Failed(
                    new InterruptedIOException("no answer within " + bound.toMillis() + " ms"))));
        }
        return ordered;
    }
}
